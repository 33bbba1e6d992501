// LoCoMo retrieval quality, shared by bench:memory and bench:team: each conversation's observations become memories
// (with their session, as agents record memories), each question with evidence is searched, and a question counts
// as found at rank r when a hit cites one of its evidence turns. Read from ../shared/benchmarks/locomo, never
// copied; LOCOMO_PATH overrides the path.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SearchIndex } from '../src/core/memory/searchIndex';
import { contentHash } from '../src/core/memory/text';

interface LocomoSample {
  observation: Record<string, Record<string, [string, string | string[]][]>>;
  qa: { question: string; evidence?: string[]; category: number }[];
}

export interface LocomoFact {
  content: string;
  session: string;
  /** The dialogue turns the observation cites. */
  turns: string[];
}

export interface LocomoConversation {
  facts: LocomoFact[];
  questions: { question: string; evidence: Set<string> }[];
}

export interface RecallFigures {
  questions: number;
  recallAt5: number;
  recallAt10: number;
  mrr: number;
}

/** The conversations, or why there are none. */
export function locomoConversations(): LocomoConversation[] | { skipped: string } {
  const path = process.env.LOCOMO_PATH ?? resolve(__dirname, '../../shared/benchmarks/locomo/locomo10.json');
  if (!existsSync(path)) return { skipped: `no LoCoMo data at ${path}` };
  const split = (ids: string | string[]) => [ids].flat().flatMap((d) => d.split(/[;,]\s*/)).map((d) => d.trim());
  return (JSON.parse(readFileSync(path, 'utf8')) as LocomoSample[]).map((sample) => ({
    facts: Object.entries(sample.observation).flatMap(([session, bySpeaker]) =>
      // A few observations cite several turns, as a list or a comma-separated string.
      Object.values(bySpeaker).flatMap((facts) => facts.map(([content, turns]) => ({ content, session, turns: split(turns) }))),
    ),
    // Adversarial questions (category 5) have no answer in the conversation.
    questions: sample.qa.filter((qa) => qa.category !== 5 && qa.evidence?.length).map((qa) => ({ question: qa.question, evidence: new Set(split(qa.evidence ?? [])) })),
  }));
}

/** Recall@5, recall@10 and MRR over every conversation; `search` returns the cited turns of each hit, best first. */
export async function locomoRecall(
  conversations: readonly LocomoConversation[],
  open: (conversation: LocomoConversation) => Promise<{ search: (question: string) => Promise<string[][]>; close?: () => Promise<void> }>,
): Promise<RecallFigures> {
  let questions = 0;
  let hit5 = 0;
  let hit10 = 0;
  let reciprocal = 0;
  for (const conversation of conversations) {
    const store = await open(conversation);
    for (const { question, evidence } of conversation.questions) {
      questions++;
      const first = (await store.search(question)).findIndex((turns) => turns.some((t) => evidence.has(t)));
      if (first >= 0 && first < 5) hit5++;
      if (first >= 0) {
        hit10++;
        reciprocal += 1 / (first + 1);
      }
    }
    await store.close?.();
  }
  const r = (x: number) => Math.round((x / questions) * 1000) / 1000;
  return { questions, recallAt5: r(hit5), recallAt10: r(hit10), mrr: r(reciprocal) };
}

/** The embedded index's LoCoMo figures: the same pipeline the store searches with. */
export async function embeddedLocomo(conversations: readonly LocomoConversation[]): Promise<RecallFigures> {
  return locomoRecall(conversations, async ({ facts }) => {
    const index = new SearchIndex();
    const turns = new Map<string, string[]>();
    const at = new Date(0).toISOString();
    for (const [n, fact] of facts.entries()) {
      const id = `m${n}`;
      turns.set(id, fact.turns);
      index.add({ id, content: fact.content, category: 'project', tags: [], metadata: { session_id: fact.session }, hash: contentHash(fact.content, 'project'), createdAt: at, updatedAt: at });
    }
    return { search: async (question) => index.search(question, 10).map((h) => turns.get(h.id) ?? []) };
  });
}

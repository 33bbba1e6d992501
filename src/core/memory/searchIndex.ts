import { decodePostings, encodePostings } from './postingsCodec';
import { TermPostings, type Scored } from './termPostings';
import { processTerm, termList, terms } from './text';
import type { MemoryRecord } from './types';

/** Ranking parameters shared with the team database's search, so both stores rank alike. */
export const RANKING = {
  /** A term in more than this share of memories is a stopword of this corpus: it ranks nothing and costs much. */
  frequentShare: 0.03,
  /** Hovers are stricter still: a word found in more than 0.5% of memories says nothing about the code under the cursor. */
  lookupFrequentShare: 0.005,
  /** Below this corpus size no term is treated as frequent: small stores rank best with every term. */
  frequentMinDocs: 2000,
  /** Exact lookups use at most this many of the query's rarest terms. */
  exactMaxTerms: 8,
  /** Share of the best score in a memory's group (same session or run) added to each member of that group. */
  groupWeight: 0.4,
} as const;
/** Above this many memories fuzzy matching costs more than it finds; prefix matching stays. */
const FUZZY_MAX_DOCS = 20_000;
const SYNONYMS = new Map<string, string[]>([
  ['bug', ['error', 'issue']],
  ['error', ['exception', 'failure']],
  ['exception', ['error']],
  ['db', ['database']],
  ['database', ['db']],
  ['auth', ['authentication', 'login']],
  ['authentication', ['auth']],
  ['config', ['configuration', 'setting']],
  ['configuration', ['config']],
  ['test', ['spec']],
]);

/** Words a search for `word` also looks for ("bug" also finds "error" and "issue"). */
export function synonymsOf(word: string): readonly string[] {
  return SYNONYMS.get(word) ?? [];
}

/** Memories recorded in one working session or agent run share context; this is their group key. */
function groupOf(memory: MemoryRecord): string | undefined {
  const m = memory.metadata;
  const key = m.session_id ?? m.session ?? m.run_id;
  return typeof key === 'string' && key !== '' ? key : undefined;
}

export interface IndexHit {
  id: string;
  score: number;
}

/**
 * Full-text index over memories: BM25 with identifier-aware tokens, light stemming, prefix and small fuzzy
 * matches, and per-corpus frequent-term cut-offs so common words cannot make queries slow. `save` gives a
 * binary copy that `SearchIndex.load` opens without re-indexing.
 */
export class SearchIndex {
  private postings: TermPostings;

  constructor(postings = new TermPostings()) {
    this.postings = postings;
  }

  /** An index saved by `save`; throws `DamagedSnapshotError` when the bytes do not hold together. */
  static load(saved: Buffer): SearchIndex {
    return new SearchIndex(TermPostings.thaw(decodePostings(saved)));
  }

  get size(): number {
    return this.postings.size;
  }

  has(id: string): boolean {
    return this.postings.has(id);
  }

  ids(): IterableIterator<string> {
    return this.postings.liveIds();
  }

  save(): Buffer {
    return encodePostings(this.postings.freeze());
  }

  add(memory: MemoryRecord): void {
    this.postings.add(memory.id, [termList(memory.content), termList(memory.tags.join(' ')), termList(memory.category)], groupOf(memory));
    // A long-lived index whose memories keep changing sheds the postings of old versions now and then.
    if (this.postings.sparse) this.postings = TermPostings.thaw(this.postings.freeze());
  }

  remove(id: string): void {
    this.postings.remove(id);
  }

  clear(): void {
    this.postings = new TermPostings();
  }

  /** Ranked ids for a free-text query; `accept` filters candidates before ranking. */
  search(query: string, limit: number, accept?: (id: string) => boolean, exact = false): IndexHit[] {
    const queryTerms = exact ? this.rareTerms(terms(query)) : this.selectTerms(this.splitCompounds(terms(query)));
    if (queryTerms.length === 0) return [];
    const expanded = exact ? queryTerms : expand(queryTerms);
    const fuzzy = !exact && this.size <= FUZZY_MAX_DOCS;
    const scored = new Map<number, Scored>();
    for (const term of expanded) this.postings.scoreQueryTerm(term, { prefix: !exact && term.length >= 5, fuzzy: fuzzy && term.length >= 6 ? 0.15 : 0 }, scored);
    const hits: (IndexHit & { doc: number })[] = [];
    for (const [doc, { score, terms: matched }] of scored) {
      const id = this.postings.idOf(doc) as string;
      if (!accept || accept(id)) hits.push({ id, doc, score: score * matched.length });
    }
    hits.sort((a, b) => b.score - a.score);
    return this.smoothByGroup(hits).slice(0, limit);
  }

  /**
   * A memory whose session also holds the best match for the query is likelier relevant than an equally
   * scored stray one: add a share of its group's best score, then re-rank.
   */
  private smoothByGroup(hits: (IndexHit & { doc: number })[]): IndexHit[] {
    const best = new Map<string, number>();
    for (const h of hits) {
      const g = this.postings.groupOf(h.doc);
      if (g !== undefined && h.score > (best.get(g) ?? 0)) best.set(g, h.score);
    }
    if (best.size === 0) return hits.map(({ id, score }) => ({ id, score }));
    return hits
      .map(({ id, doc, score }) => {
        const g = this.postings.groupOf(doc);
        return { id, score: g === undefined ? score : score + RANKING.groupWeight * (best.get(g) as number) };
      })
      .sort((a, b) => b.score - a.score);
  }

  /** Exact lookups (hovers, duplicate checks): the at most eight rarest terms under the hover cut-off. */
  private rareTerms(queryTerms: string[]): string[] {
    const n = this.size;
    const df = (t: string) => this.postings.documentFrequency(t);
    const kept = n < RANKING.frequentMinDocs ? queryTerms : queryTerms.filter((t) => df(t) <= n * RANKING.lookupFrequentShare);
    return kept.length <= RANKING.exactMaxTerms ? kept : kept.sort((a, b) => df(a) - df(b)).slice(0, RANKING.exactMaxTerms);
  }

  /** A query word no memory holds may be two that memories hold apart: "roadtrip" searches "road" and "trip". */
  private splitCompounds(queryTerms: string[]): string[] {
    return queryTerms.flatMap((t) => {
      const known = (term: string) => this.postings.documentFrequency(term) > 0;
      if (t.length < 6 || known(t)) return [t];
      for (let i = 3; i <= t.length - 3; i++) {
        const head = processTerm(t.slice(0, i));
        const tail = processTerm(t.slice(i));
        if (head && tail && known(head) && known(tail)) return [head, tail];
      }
      return [t];
    });
  }

  /** Drops corpus-frequent terms (keeping the rarest one if all are frequent). */
  private selectTerms(queryTerms: string[]): string[] {
    const n = this.size;
    if (n < RANKING.frequentMinDocs || queryTerms.length === 0) return queryTerms;
    const cutoff = n * RANKING.frequentShare;
    const df = new Map(queryTerms.map((t) => [t, this.postings.documentFrequency(t)]));
    const kept = queryTerms.filter((t) => (df.get(t) as number) <= cutoff);
    if (kept.length > 0) return kept;
    const rarest = queryTerms.reduce((a, b) => ((df.get(a) as number) <= (df.get(b) as number) ? a : b));
    return [rarest];
  }
}

function expand(queryTerms: string[]): string[] {
  const out = new Set(queryTerms);
  for (const t of queryTerms) for (const s of SYNONYMS.get(t) ?? []) out.add(processTerm(s) ?? s);
  return [...out];
}

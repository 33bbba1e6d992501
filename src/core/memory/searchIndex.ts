import MiniSearch, { type AsPlainObject } from 'minisearch';
import { processTerm, termList, terms } from './text';
import type { MemoryRecord } from './types';

interface IndexedDoc {
  id: string;
  content: string;
  tags: string;
  category: string;
}

/** A term in more than this share of memories is a stopword of this corpus: it ranks nothing and costs much. */
const FREQUENT_SHARE = 0.03;
/** Hovers are stricter still: a word found in more than 0.5% of memories says nothing about the code under the cursor. */
const LOOKUP_FREQUENT_SHARE = 0.005;
/** Above this many memories fuzzy matching costs more than it finds; prefix matching stays. */
const FUZZY_MAX_DOCS = 20_000;
/** Below this corpus size no term is treated as frequent: small stores rank best with every term. */
const FREQUENT_MIN_DOCS = 2000;
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

/** Share of the best score in a memory's group (same session or run) added to each member of that group. */
const GROUP_WEIGHT = 0.4;

/** Memories recorded in one working session or agent run share context; this is their group key. */
function groupOf(memory: MemoryRecord): string | undefined {
  const m = memory.metadata;
  const key = m.session_id ?? m.session ?? m.run_id;
  return typeof key === 'string' && key !== '' ? key : undefined;
}

// Documents arrive as processed terms joined by spaces (see `add`): every memory is tokenised once.
const MINI_OPTIONS = {
  fields: ['content', 'tags', 'category'],
  tokenize: (text: string) => (text === '' ? [] : text.split(' ')),
  processTerm: (t: string) => t,
  searchOptions: { boost: { content: 1, tags: 1.5, category: 0.5 } },
};

interface SavedIndex {
  mini: AsPlainObject;
  terms: [string, string[]][];
  groups: [string, string][];
}

export interface IndexHit {
  id: string;
  score: number;
}

/**
 * Full-text index over memories: BM25 (MiniSearch) with identifier-aware tokens, light stemming, prefix and
 * small fuzzy matches, and per-corpus frequent-term cut-offs so common words cannot make queries slow.
 */
export class SearchIndex {
  /** Saved form version: bump when the term pipeline or the layout changes, so older snapshots are rebuilt. */
  static readonly SNAPSHOT_VERSION = 1;
  private readonly mini: MiniSearch<IndexedDoc>;
  /** Document frequency per processed term, to spot corpus stopwords in O(1). */
  private readonly docFreq = new Map<string, number>();
  private readonly termsById = new Map<string, string[]>();
  private readonly groupById = new Map<string, string>();

  constructor(saved?: string) {
    if (saved === undefined) {
      this.mini = new MiniSearch<IndexedDoc>(MINI_OPTIONS);
      return;
    }
    const { mini, terms, groups } = JSON.parse(saved) as SavedIndex;
    this.mini = MiniSearch.loadJS<IndexedDoc>(mini, MINI_OPTIONS);
    for (const [id, docTerms] of terms) {
      this.termsById.set(id, docTerms);
      for (const t of docTerms) this.docFreq.set(t, (this.docFreq.get(t) ?? 0) + 1);
    }
    for (const [id, group] of groups) this.groupById.set(id, group);
  }

  get size(): number {
    return this.termsById.size;
  }

  has(id: string): boolean {
    return this.termsById.has(id);
  }

  ids(): IterableIterator<string> {
    return this.termsById.keys();
  }

  /** The index as text, for `new SearchIndex(saved)` in a later process. */
  save(): string {
    const saved: SavedIndex = { mini: this.mini.toJSON(), terms: [...this.termsById], groups: [...this.groupById] };
    return JSON.stringify(saved);
  }

  add(memory: MemoryRecord): void {
    if (this.termsById.has(memory.id)) this.remove(memory.id);
    const content = termList(memory.content);
    const tags = termList(memory.tags.join(' '));
    const distinct = new Set(content);
    for (const t of tags) distinct.add(t);
    const docTerms = [...distinct];
    this.termsById.set(memory.id, docTerms);
    const group = groupOf(memory);
    if (group) this.groupById.set(memory.id, group);
    for (const t of docTerms) this.docFreq.set(t, (this.docFreq.get(t) ?? 0) + 1);
    this.mini.add({ id: memory.id, content: content.join(' '), tags: tags.join(' '), category: termList(memory.category).join(' ') });
  }

  /** Adds many memories, yielding to the event loop between chunks so lookups answer from the partial index. */
  async addAllAsync(memories: readonly MemoryRecord[], chunkSize = 2000): Promise<void> {
    for (let i = 0; i < memories.length; i += chunkSize) {
      for (const m of memories.slice(i, i + chunkSize)) this.add(m);
      if (i + chunkSize < memories.length) await new Promise((r) => setImmediate(r));
    }
  }

  remove(id: string): void {
    const docTerms = this.termsById.get(id);
    if (!docTerms) return;
    for (const t of docTerms) {
      const n = (this.docFreq.get(t) ?? 1) - 1;
      if (n <= 0) this.docFreq.delete(t);
      else this.docFreq.set(t, n);
    }
    this.termsById.delete(id);
    this.groupById.delete(id);
    this.mini.discard(id);
  }

  clear(): void {
    this.mini.removeAll();
    this.docFreq.clear();
    this.termsById.clear();
    this.groupById.clear();
  }

  /** Ranked ids for a free-text query; `accept` filters candidates before ranking. */
  search(query: string, limit: number, accept?: (id: string) => boolean, exact = false): IndexHit[] {
    const queryTerms = exact ? this.rareTerms(terms(query)) : this.selectTerms(this.splitCompounds(terms(query)));
    if (queryTerms.length === 0) return [];
    const expanded = exact ? queryTerms : expand(queryTerms);
    const fuzzy = !exact && this.size <= FUZZY_MAX_DOCS;
    const results = this.mini.search(
      { queries: expanded, combineWith: 'OR' },
      {
        tokenize: (s) => [s],
        processTerm: (t) => t,
        prefix: (t) => !exact && t.length >= 5,
        fuzzy: (t) => (fuzzy && t.length >= 6 ? 0.15 : false),
        weights: { fuzzy: 0.3, prefix: 0.4 },
        filter: accept ? (r) => accept(r.id as string) : undefined,
      },
    );
    return this.smoothByGroup(results.map((r) => ({ id: r.id as string, score: r.score }))).slice(0, limit);
  }

  /**
   * A memory whose session also holds the best match for the query is likelier relevant than an equally
   * scored stray one: add a share of its group's best score, then re-rank.
   */
  private smoothByGroup(hits: IndexHit[]): IndexHit[] {
    if (this.groupById.size === 0) return hits;
    const best = new Map<string, number>();
    for (const h of hits) {
      const g = this.groupById.get(h.id);
      if (g !== undefined && h.score > (best.get(g) ?? 0)) best.set(g, h.score);
    }
    if (best.size === 0) return hits;
    return hits
      .map((h) => {
        const g = this.groupById.get(h.id);
        return g === undefined ? h : { id: h.id, score: h.score + GROUP_WEIGHT * (best.get(g) as number) };
      })
      .sort((a, b) => b.score - a.score);
  }

  /** Exact lookups (hovers, duplicate checks): the at most eight rarest terms under the hover cut-off. */
  private rareTerms(queryTerms: string[]): string[] {
    const n = this.size;
    const df = (t: string) => this.docFreq.get(t) ?? 0;
    const kept = n < FREQUENT_MIN_DOCS ? queryTerms : queryTerms.filter((t) => df(t) <= n * LOOKUP_FREQUENT_SHARE);
    return kept.length <= 8 ? kept : kept.sort((a, b) => df(a) - df(b)).slice(0, 8);
  }

  /** A query word no memory holds may be two that memories hold apart: "roadtrip" searches "road" and "trip". */
  private splitCompounds(queryTerms: string[]): string[] {
    return queryTerms.flatMap((t) => {
      if (t.length < 6 || this.docFreq.has(t)) return [t];
      for (let i = 3; i <= t.length - 3; i++) {
        const head = processTerm(t.slice(0, i));
        const tail = processTerm(t.slice(i));
        if (head && tail && this.docFreq.has(head) && this.docFreq.has(tail)) return [head, tail];
      }
      return [t];
    });
  }

  /** Drops corpus-frequent terms (keeping the rarest one if all are frequent). */
  private selectTerms(queryTerms: string[]): string[] {
    const n = this.size;
    if (n < FREQUENT_MIN_DOCS || queryTerms.length === 0) return queryTerms;
    const cutoff = n * FREQUENT_SHARE;
    const kept = queryTerms.filter((t) => (this.docFreq.get(t) ?? 0) <= cutoff);
    if (kept.length > 0) return kept;
    const rarest = queryTerms.reduce((a, b) => ((this.docFreq.get(a) ?? 0) <= (this.docFreq.get(b) ?? 0) ? a : b));
    return [rarest];
  }
}

function expand(queryTerms: string[]): string[] {
  const out = new Set(queryTerms);
  for (const t of queryTerms) for (const s of SYNONYMS.get(t) ?? []) out.add(processTerm(s) ?? s);
  return [...out];
}

// The inverted index behind memory search: per term and field, the documents holding it and how often. Ranking
// follows MiniSearch's BM25+ (same parameters, field boosts, prefix and fuzzy weights and result order), so
// search results did not change when the index moved to this layout, which a saved copy loads without
// rebuilding: typed arrays read from one file, with documents added or removed afterwards kept beside them.

import { DamagedSnapshotError } from './binaryTables';

/** Fields of a memory, in scoring order: content, tags, category. */
export const FIELD_COUNT = 3;
const CONTENT = 0;
const TAGS = 1;
const FIELD_BOOSTS = [1, 1.5, 0.5] as const;
export const BM25 = { k: 1.2, b: 0.7, d: 0.5 };
export const PREFIX_WEIGHT = 0.4;
export const FUZZY_WEIGHT = 0.3;
/** MiniSearch's cap on the edit distance a fuzzy fraction may ask for. */
const MAX_FUZZY = 6;

/** The saved form: every document live, terms sorted, postings of each term and field ascending by document. */
export interface FrozenPostings {
  ids: string[];
  /** Group key (session or run) per document, or undefined. */
  groups: (string | undefined)[];
  /** Distinct terms of each document's fields: `fieldLengths[doc * FIELD_COUNT + field]`. */
  fieldLengths: Uint32Array;
  terms: string[];
  /** Postings of term t in field f are `docs/tfs[start[t * FIELD_COUNT + f] .. start[t * FIELD_COUNT + f + 1]]`. */
  start: Uint32Array;
  docs: Uint32Array;
  tfs: Uint32Array;
}

export interface Scored {
  score: number;
  /** Distinct query terms that matched: MiniSearch multiplies the score by their number. */
  terms: string[];
}

/** How a query term matches index terms. */
export interface TermMatching {
  prefix: boolean;
  /** Allowed edit distance as a fraction of the term's length (0: none). */
  fuzzy: number;
}

/**
 * Documents are numbered in the order they were added; a removed or replaced one leaves a tombstone in the
 * postings, skipped when scoring and dropped by the next `freeze`.
 */
export class TermPostings {
  private ids: (string | undefined)[] = [];
  private readonly numbers = new Map<string, number>();
  private readonly groups = new Map<number, string>();
  private lengths = new Uint32Array(0);
  private readonly totals = [0, 0, 0];
  /** Postings loaded from a saved index, for documents below `base.ids.length`. */
  private base: FrozenPostings | undefined;
  /** Postings of documents added since: flat (document, field, frequency) triples, ascending by document. */
  private readonly added = new Map<string, number[]>();
  private tombstones = 0;

  static thaw(frozen: FrozenPostings): TermPostings {
    const postings = new TermPostings();
    postings.base = frozen;
    postings.ids = frozen.ids.slice();
    postings.lengths = frozen.fieldLengths.slice();
    frozen.ids.forEach((id, doc) => {
      if (postings.numbers.has(id)) throw new DamagedSnapshotError(`document ${id} saved twice`);
      postings.numbers.set(id, doc);
      const group = frozen.groups[doc];
      if (group !== undefined) postings.groups.set(doc, group);
      for (let f = 0; f < FIELD_COUNT; f++) postings.totals[f] = (postings.totals[f] as number) + (frozen.fieldLengths[doc * FIELD_COUNT + f] as number);
    });
    return postings;
  }

  get size(): number {
    return this.numbers.size;
  }

  has(id: string): boolean {
    return this.numbers.has(id);
  }

  liveIds(): IterableIterator<string> {
    return this.numbers.keys();
  }

  idOf(doc: number): string | undefined {
    return this.ids[doc];
  }

  groupOf(doc: number): string | undefined {
    return this.groups.get(doc);
  }

  /** True when removals left more dead postings than live documents: time to `freeze` and `thaw`. */
  get sparse(): boolean {
    return this.tombstones > 1000 && this.tombstones > this.numbers.size;
  }

  /** Adds a document from its fields' processed terms (repeats count). Replaces a document with the same id. */
  add(id: string, fields: readonly (readonly string[])[], group: string | undefined): void {
    this.remove(id);
    const doc = this.ids.length;
    this.ids.push(id);
    this.numbers.set(id, doc);
    if (group !== undefined) this.groups.set(doc, group);
    if (this.lengths.length < (doc + 1) * FIELD_COUNT) {
      const grown = new Uint32Array(Math.max(64, this.lengths.length * 2, (doc + 1) * FIELD_COUNT));
      grown.set(this.lengths);
      this.lengths = grown;
    }
    fields.forEach((terms, field) => {
      const counts = new Map<string, number>();
      for (const t of terms) counts.set(t, (counts.get(t) ?? 0) + 1);
      this.lengths[doc * FIELD_COUNT + field] = counts.size;
      this.totals[field] = (this.totals[field] as number) + counts.size;
      for (const [term, tf] of counts) {
        const list = this.added.get(term);
        if (list) list.push(doc, field, tf);
        else this.added.set(term, [doc, field, tf]);
      }
    });
  }

  remove(id: string): void {
    const doc = this.numbers.get(id);
    if (doc === undefined) return;
    this.numbers.delete(id);
    this.groups.delete(doc);
    this.ids[doc] = undefined;
    for (let f = 0; f < FIELD_COUNT; f++) this.totals[f] = (this.totals[f] as number) - (this.lengths[doc * FIELD_COUNT + f] as number);
    this.tombstones++;
  }

  /** Live documents holding `term` in their content or tags (the category is not text the user wrote). */
  documentFrequency(term: string): number {
    const inContent = this.liveCount(term, CONTENT);
    if (this.liveCount(term, TAGS) === 0) return inContent;
    const seen = new Set<number>();
    this.forEach(term, CONTENT, (doc) => seen.add(doc));
    this.forEach(term, TAGS, (doc) => seen.add(doc));
    return seen.size;
  }

  /** BM25 scores of one query term: the term itself, then longer terms it prefixes, then close misspellings. */
  scoreQueryTerm(query: string, matching: TermMatching, results: Map<number, Scored>): void {
    this.scoreTerm(query, query, 1, results);
    const prefixed = matching.prefix ? this.termsWithPrefix(query) : new Set<string>();
    for (const term of prefixed) {
      if (term === query) continue;
      const distance = term.length - query.length;
      this.scoreTerm(query, term, (PREFIX_WEIGHT * term.length) / (term.length + 0.3 * distance), results);
    }
    const maxDistance = matching.fuzzy > 0 ? Math.min(MAX_FUZZY, Math.round(query.length * matching.fuzzy)) : 0;
    if (maxDistance === 0) return;
    for (const [term, distance] of this.termsWithin(query, maxDistance)) {
      if (distance === 0 || prefixed.has(term)) continue;
      this.scoreTerm(query, term, (FUZZY_WEIGHT * term.length) / (term.length + distance), results);
    }
  }

  /** The live documents as the saved form: renumbered densely, terms sorted, tombstones dropped. */
  freeze(): FrozenPostings {
    const renumber = new Int32Array(this.ids.length).fill(-1);
    const ids: string[] = [];
    const groups: (string | undefined)[] = [];
    const fieldLengths = new Uint32Array(this.numbers.size * FIELD_COUNT);
    this.ids.forEach((id, doc) => {
      if (id === undefined) return;
      const next = ids.length;
      renumber[doc] = next;
      ids.push(id);
      groups.push(this.groups.get(doc));
      for (let f = 0; f < FIELD_COUNT; f++) fieldLengths[next * FIELD_COUNT + f] = this.lengths[doc * FIELD_COUNT + f] as number;
    });
    const all = new Set(this.base?.terms ?? []);
    for (const term of this.added.keys()) all.add(term);
    const sorted = [...all].sort(compareStrings);
    const terms: string[] = [];
    const start: number[] = [0];
    const docs: number[] = [];
    const tfs: number[] = [];
    for (const term of sorted) {
      const before = docs.length;
      const ends: number[] = [];
      for (let f = 0; f < FIELD_COUNT; f++) {
        this.forEach(term, f, (doc, tf) => {
          docs.push(renumber[doc] as number);
          tfs.push(tf);
        });
        ends.push(docs.length);
      }
      if (docs.length === before) continue;
      terms.push(term);
      for (const end of ends) start.push(end);
    }
    return { ids, groups, fieldLengths, terms, start: Uint32Array.from(start), docs: Uint32Array.from(docs), tfs: Uint32Array.from(tfs) };
  }

  /** Adds `term`'s contribution to every live document holding it, as MiniSearch's `termResults` does. */
  private scoreTerm(query: string, term: string, weight: number, results: Map<number, Scored>): void {
    const total = this.numbers.size;
    for (let f = 0; f < FIELD_COUNT; f++) {
      const matching = this.liveCount(term, f);
      if (matching === 0) continue;
      const average = (this.totals[f] as number) / total;
      const idf = Math.log(1 + (total - matching + 0.5) / (matching + 0.5));
      const boost = weight * (FIELD_BOOSTS[f] as number);
      this.forEach(term, f, (doc, tf) => {
        const length = this.lengths[doc * FIELD_COUNT + f] as number;
        const score = boost * idf * (BM25.d + (tf * (BM25.k + 1)) / (tf + BM25.k * (1 - BM25.b + (BM25.b * length) / average)));
        const result = results.get(doc);
        if (!result) results.set(doc, { score, terms: [query] });
        else {
          result.score += score;
          if (!result.terms.includes(query)) result.terms.push(query);
        }
      });
    }
  }

  private liveCount(term: string, field: number): number {
    let n = 0;
    // Without tombstones every posting is live: count the saved ones without visiting them.
    const base = this.base;
    const t = base && this.tombstones === 0 ? findSorted(base.terms, term) : -1;
    if (base && t >= 0) {
      n = (base.start[t * FIELD_COUNT + field + 1] as number) - (base.start[t * FIELD_COUNT + field] as number);
      const list = this.added.get(term);
      if (list) for (let i = 1; i < list.length; i += 3) if (list[i] === field) n++;
      return n;
    }
    this.forEach(term, field, () => n++);
    return n;
  }

  /** Calls `visit` for each live posting of `term` in `field`, ascending by document. */
  private forEach(term: string, field: number, visit: (doc: number, tf: number) => void): void {
    const base = this.base;
    const t = base ? findSorted(base.terms, term) : -1;
    if (base && t >= 0) {
      const end = base.start[t * FIELD_COUNT + field + 1] as number;
      for (let i = base.start[t * FIELD_COUNT + field] as number; i < end; i++) {
        const doc = base.docs[i] as number;
        if (this.ids[doc] !== undefined) visit(doc, base.tfs[i] as number);
      }
    }
    const list = this.added.get(term);
    if (!list) return;
    for (let i = 0; i < list.length; i += 3) {
      const doc = list[i] as number;
      if (list[i + 1] === field && this.ids[doc] !== undefined) visit(doc, list[i + 2] as number);
    }
  }

  private termsWithPrefix(prefix: string): Set<string> {
    const out = new Set<string>();
    const terms = this.base?.terms;
    if (terms) for (let i = lowerBound(terms, prefix); i < terms.length && (terms[i] as string).startsWith(prefix); i++) out.add(terms[i] as string);
    for (const term of this.added.keys()) if (term.startsWith(prefix)) out.add(term);
    return out;
  }

  /** Index terms within `max` edits of `query`, with their distance. */
  private termsWithin(query: string, max: number): Map<string, number> {
    const out = new Map<string, number>();
    const consider = (term: string) => {
      if (out.has(term) || Math.abs(term.length - query.length) > max) return;
      const distance = boundedLevenshtein(query, term, max);
      if (distance <= max) out.set(term, distance);
    };
    for (const term of this.base?.terms ?? []) consider(term);
    for (const term of this.added.keys()) consider(term);
    return out;
  }
}

/** Code-unit order, the order `findSorted` and `lowerBound` search in (not locale order). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function findSorted(sorted: readonly string[], key: string): number {
  const i = lowerBound(sorted, key);
  return sorted[i] === key ? i : -1;
}

/** Edit distance of `a` and `b`, or `max + 1` as soon as it must exceed `max`. */
function boundedLevenshtein(a: string, b: string, max: number): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
      current.push(value);
      if (value < best) best = value;
    }
    if (best > max) return max + 1;
    previous = current;
  }
  return previous[b.length] as number;
}

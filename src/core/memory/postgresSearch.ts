// Free-text search in the team database, ranked as the local store ranks: BM25 with the same stopwords, corpus-
// stopword cut, session grouping and prefix and typo weights. Each step is bounded on a large store: word
// frequencies come from the planner's statistics (cached) or, for uncommon words, from the inverted index; only
// words no memory holds are looked up in the word dictionary; and BM25 reads at most about 1,100 candidates.

import { RANKING, synonymsOf } from './searchIndex';
import { BM25, FUZZY_WEIGHT, PREFIX_WEIGHT } from './termPostings';
import { irregularForms, isStopword, splitWords } from './text';
import type { SearchOptions } from './types';

export type Run = <R>(sql: string, params: unknown[]) => Promise<R[]>;

/**
 * Connection settings for searching: spelling replacements need a trigram similarity of 0.4 (one typo in a word of
 * six letters keeps about that share of its trigrams), and no JIT, as these short statements would pay a compile
 * of hundreds of milliseconds for nothing.
 */
export const SEARCH_SETTINGS = { 'pg_trgm.similarity_threshold': '0.4', jit: 'off' };

/** At most this many distinct words of a query are looked up (a pasted paragraph stays a bounded search). */
const MAX_WORDS = 32;
/** Memories holding every word, fetched before ranking: on a large store the best hits are among them. */
const CANDIDATES_ALL_WORDS = 500;
/**
 * Memories fetched for the single words besides, shared among them, when fewer than asked for hold every word. A
 * store this small ranks every match instead, as the local index does (words in more than 3% of it are left out, so
 * that stays a few hundred per word).
 */
const CANDIDATES_FOR_WORDS = 600;
const RANK_EVERY_MATCH_BELOW = 20_000;
/** The leading memories whose repeated words are counted too (reading every candidate's positions costs too much). */
const TF_RERANK = 50;
/** Below this many memories an exact count is cheap and the planner's statistics may be missing. */
const COUNT_BELOW = 10_000;
/** How long the planner's word statistics are reused (ANALYZE refreshes them far less often). */
const STATISTICS_TTL_MS = 5 * 60_000;
/** Dictionary words tried in place of an unknown query word, each way (prefix, spelling). */
const REPLACEMENTS = 3;
const MIN_PREFIX = 4;

export interface Term {
  /** Which query word this term stands for: a memory's score counts each word once, however many forms match. */
  source: number;
  lexeme: string;
  /** 1 for the word or one of its forms; less for a prefix or spelling replacement. */
  weight: number;
  /** Memories holding the lexeme. */
  df: number;
}

interface Statistics {
  /** Memories in the table (the planner's estimate), or undefined when the table is small enough to count. */
  rows: number | undefined;
  /** Share of memories holding each of the most common lexemes. */
  common: Map<string, number>;
  at: number;
}

/** A lexeme as a one-word tsquery: quoted, so no character in it is read as an operator. */
export function tsLexeme(lexeme: string): string {
  return `'${lexeme.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** The query's words, lower-cased and distinct, without stopwords: only letters and digits reach the SQL. */
export function queryWords(query: string): string[] {
  return [...new Set(splitWords(query).map((w) => w.toLowerCase()))].filter((w) => (w.length > 1 || /\d/.test(w)) && !isStopword(w)).slice(0, MAX_WORDS);
}

/** Each searched word with the forms that also count for it; synonyms count as words of their own. */
function wordGroups(query: string, exact: boolean): string[][] {
  const words = queryWords(query);
  if (exact) return words.map((w) => [w]);
  const groups = words.map((w) => [w, ...irregularForms(w)]);
  const seen = new Set(words);
  for (const w of words) {
    for (const s of synonymsOf(w)) {
      if (seen.has(s)) continue;
      seen.add(s);
      groups.push([s]);
    }
  }
  return groups;
}

/**
 * The terms worth ranking by: words most memories hold are left out on a large store (keeping the rarest when all
 * are common), exact lookups keep only their rarest few, and each term's weight is multiplied by its inverse
 * document frequency. The forms of one word ("go", "went") share one frequency, as they are one term to the local
 * index.
 */
export function selectTerms(found: readonly Term[], n: number, exact: boolean): Term[] {
  const present = found.filter((t) => t.df > 0);
  if (present.length === 0) return [];
  const cutoff = n < RANKING.frequentMinDocs ? Infinity : n * (exact ? RANKING.lookupFrequentShare : RANKING.frequentShare);
  let kept = present.filter((t) => t.df <= cutoff);
  if (kept.length === 0) kept = [present.reduce((a, b) => (b.df < a.df ? b : a))];
  if (exact) kept = [...kept].sort((a, b) => a.df - b.df).slice(0, RANKING.exactMaxTerms);
  const formsDf = new Map<number, number>();
  for (const t of kept) if (t.weight === 1) formsDf.set(t.source, (formsDf.get(t.source) ?? 0) + t.df);
  return kept.map((t) => {
    const df = t.weight === 1 ? Math.min(n, formsDf.get(t.source) ?? t.df) : t.df;
    return { ...t, weight: t.weight * Math.log(1 + (n - df + 0.5) / (df + 0.5)) };
  });
}

export interface SearchFilters {
  where: string[];
  params: unknown[];
}

/** SQL conditions on `m` for the search and list filters, numbered from `$first`. */
export function memoryFilters(options: SearchOptions, first: number): SearchFilters {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (n: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${first + params.length - 1}`));
  };
  if (options.category) add((n) => `m.category = ${n}`, options.category);
  if (options.projectId) add((n) => `m.project_id = ${n}`, options.projectId);
  if (options.tags?.length) add((n) => `m.tags @> ${n}::text[]`, options.tags);
  if (options.technology) add((n) => `lower(m.metadata->>'technology') = lower(${n})`, options.technology);
  return { where, params };
}

/** The memory's session or run, whose other memories share its context (as the local index groups them). */
const GROUP = `coalesce(m.metadata->>'session_id', m.metadata->>'session', m.metadata->>'run_id')`;

/**
 * BM25 over the candidates: memories holding every word and, when they are fewer than asked for, memories holding
 * each word, within a budget. A memory scores each word it holds once, times the number of words it holds (as the
 * local index does); then it gains a share of the best score in its session. Only the winners' full rows are read.
 */
function rankSql(columns: string, filters: SearchFilters): string {
  const conditions = filters.where.map((c) => ` AND ${c}`).join('');
  const { k, b, d } = BM25;
  return `WITH terms AS (SELECT t.*, tsquery(quote_literal(t.lexeme)) AS q FROM unnest($1::text[], $2::float8[], $3::int[]) AS t(lexeme, weight, source)),
  every_word AS MATERIALIZED (
    SELECT m.id, m.search, m.created_at, ${GROUP} AS grp FROM claude_pm_memories m WHERE m.search @@ $4::tsquery${conditions} LIMIT ${CANDIDATES_ALL_WORDS}
  ),
  found AS (
    SELECT * FROM every_word
    UNION ALL
    SELECT c.* FROM terms t, LATERAL (
      SELECT m.id, m.search, m.created_at, ${GROUP} AS grp FROM claude_pm_memories m WHERE m.search @@ t.q${conditions} LIMIT $6
    ) c WHERE $6 IS NULL OR (SELECT count(*) FROM every_word) < $5
  ),
  candidates AS (
    SELECT *, ${k} * (1 - ${b} + ${b} * len / greatest(1, avg(len) OVER ())) AS norm
    FROM (SELECT DISTINCT ON (id) id, search, created_at, grp, length(search) AS len FROM found ORDER BY id) d
  ),
  scored AS (
    SELECT c.id, c.search, c.created_at, c.grp, s.matched, c.norm, s.matched * s.weight * (${d} + ${k + 1} / (1 + c.norm)) AS score
    FROM candidates c, LATERAL (SELECT sum(t.weight) AS weight, count(DISTINCT t.source) AS matched FROM terms t WHERE c.search @@ t.q) s
  ),
  -- Repeated words count for the leading memories only: reading every candidate's word positions costs too much.
  repeats AS (
    SELECT f.id, f.matched * sum(t.weight * (u.tf * ${k + 1} / (u.tf + f.norm) - ${k + 1} / (1 + f.norm))) AS gain
    FROM (SELECT * FROM scored ORDER BY score DESC LIMIT greatest(${TF_RERANK}, $5)) f,
      LATERAL (SELECT x.lexeme, array_length(x.positions, 1) AS tf FROM unnest(f.search) x) u JOIN terms t USING (lexeme)
    WHERE u.tf > 1 GROUP BY f.id, f.matched
  ),
  counted AS (SELECT s.id, s.created_at, s.grp, s.score + coalesce(r.gain, 0) AS score FROM scored s LEFT JOIN repeats r USING (id)),
  grouped AS (
    SELECT id, created_at, score + CASE WHEN grp IS NULL OR grp = '' THEN 0 ELSE ${RANKING.groupWeight} * max(score) OVER (PARTITION BY grp) END AS score
    FROM counted
  ),
  best AS (SELECT id, score FROM grouped ORDER BY score DESC, created_at DESC, id LIMIT $5)
  SELECT ${columns}, best.score::float8 AS score FROM best JOIN claude_pm_memories m USING (id) ORDER BY best.score DESC, m.created_at DESC, m.id`;
}

/** The terms as one tsquery that every word must match (any of a word's forms). */
function everyWord(terms: readonly Term[]): string {
  const bySource = new Map<number, string[]>();
  for (const t of terms) bySource.set(t.source, [...(bySource.get(t.source) ?? []), tsLexeme(t.lexeme)]);
  return [...bySource.values()].map((alternatives) => `(${alternatives.join(' | ')})`).join(' & ');
}

/** Searches one team database; keeps the planner's word statistics between searches. */
export class PostgresSearch {
  private statistics: Promise<Statistics> | undefined;

  constructor(private readonly run: Run) {}

  /** The best memories for `query` with their BM25 scores (not normalised), best first; `columns` name `m`'s. */
  async search<R>(columns: string, query: string, options: SearchOptions, limit: number): Promise<(R & { score: number })[]> {
    const exact = options.exact === true;
    const groups = wordGroups(query, exact);
    if (groups.length === 0) return [];
    const lexemes = await this.run<{ source: number; lexeme: string }>(
      `SELECT DISTINCT w.source::int AS source, l.lexeme
       FROM unnest($1::text[]) WITH ORDINALITY AS w(words, source), unnest(tsvector_to_array(to_tsvector('english', w.words))) AS l(lexeme)`,
      [groups.map((g) => g.join(' '))],
    );
    if (lexemes.length === 0) return [];
    const { n, terms: found } = await this.frequencies(lexemes.map((l) => ({ ...l, weight: 1 })));
    if (!exact) {
      const known = new Set(found.filter((t) => t.df > 0).map((t) => t.source));
      const unknown = found.filter((t) => !known.has(t.source));
      if (unknown.length > 0) found.push(...(await this.frequencies(await this.replacements(unknown))).terms);
    }
    const terms = selectTerms(found, n, exact);
    if (terms.length === 0) return [];
    const filters = memoryFilters(options, 7);
    return this.run<R & { score: number }>(rankSql(columns, filters), [
      terms.map((t) => t.lexeme),
      terms.map((t) => t.weight),
      terms.map((t) => t.source),
      everyWord(terms),
      limit,
      n < RANK_EVERY_MATCH_BELOW ? null : Math.ceil(CANDIDATES_FOR_WORDS / terms.length),
      ...filters.params,
    ]);
  }

  /** Each lexeme's document frequency: the planner's share for common ones, an index count for the rest. */
  private async frequencies(terms: Omit<Term, 'df'>[]): Promise<{ n: number; terms: Term[] }> {
    const stats = await this.plannerStatistics();
    const df = new Map<string, number>();
    if (stats.rows !== undefined) for (const t of terms) if (stats.common.has(t.lexeme)) df.set(t.lexeme, Math.round((stats.common.get(t.lexeme) as number) * stats.rows));
    const toCount = [...new Set(terms.map((t) => t.lexeme).filter((l) => !df.has(l)))];
    let n = stats.rows ?? 0;
    if (toCount.length > 0 || stats.rows === undefined) {
      const counted = await this.run<{ lexeme: string | null; count: string }>(
        `SELECT l.lexeme, (SELECT count(*) FROM claude_pm_memories WHERE search @@ quote_literal(l.lexeme)::tsquery) AS count FROM unnest($1::text[]) AS l(lexeme)
         ${stats.rows === undefined ? 'UNION ALL SELECT NULL, count(*) FROM claude_pm_memories' : ''}`,
        [toCount],
      );
      for (const row of counted) {
        if (row.lexeme === null) n = Number(row.count);
        else df.set(row.lexeme, Number(row.count));
      }
    }
    return { n, terms: terms.map((t) => ({ ...t, df: df.get(t.lexeme) ?? 0 })) };
  }

  /**
   * Dictionary words that an unknown query word begins (a word typed in part) or that are spelt like it (a typo),
   * weighted below an exact match as the local store weighs its prefix and fuzzy matches.
   */
  private replacements(unknown: readonly Term[]): Promise<Omit<Term, 'df'>[]> {
    return this.run<Omit<Term, 'df'>>(
      `SELECT DISTINCT ON (w.source, d.lexeme) w.source, d.lexeme, d.weight
       FROM unnest($1::int[], $2::text[]) AS w(source, lexeme), LATERAL (
         (SELECT x.lexeme, ${PREFIX_WEIGHT}::float8 AS weight FROM claude_pm_memory_lexemes x
          WHERE length(w.lexeme) >= ${MIN_PREFIX} AND x.lexeme > w.lexeme AND x.lexeme < w.lexeme || U&'\\+10FFFF'
          ORDER BY length(x.lexeme), x.lexeme LIMIT ${REPLACEMENTS})
         UNION ALL
         (SELECT x.lexeme, ${FUZZY_WEIGHT} * similarity(x.lexeme, w.lexeme) FROM claude_pm_memory_lexemes x
          WHERE x.lexeme % w.lexeme ORDER BY similarity(x.lexeme, w.lexeme) DESC, x.lexeme LIMIT ${REPLACEMENTS})
       ) d ORDER BY w.source, d.lexeme, d.weight DESC`,
      [unknown.map((u) => u.source), unknown.map((u) => u.lexeme)],
    );
  }

  /** The planner's row estimate and common-word shares, read again after a few minutes (a failed read is retried). */
  private plannerStatistics(): Promise<Statistics> {
    const cached = this.statistics;
    if (cached) return cached.then((s) => (Date.now() - s.at < STATISTICS_TTL_MS ? s : this.readStatistics()));
    return this.readStatistics();
  }

  private readStatistics(): Promise<Statistics> {
    const reading = (async (): Promise<Statistics> => {
      const [size] = await this.run<{ rows: number }>(`SELECT reltuples::float8 AS rows FROM pg_class WHERE oid = 'claude_pm_memories'::regclass`, []);
      const rows = size && size.rows >= COUNT_BELOW ? Math.round(size.rows) : undefined;
      const common = new Map<string, number>();
      if (rows !== undefined) for (const c of await this.run<{ lexeme: string; share: number }>('SELECT lexeme, share FROM claude_pm_common_lexemes()', [])) common.set(c.lexeme, c.share);
      return { rows, common, at: Date.now() };
    })();
    this.statistics = reading;
    reading.catch(() => {
      if (this.statistics === reading) this.statistics = undefined;
    });
    return reading;
  }
}

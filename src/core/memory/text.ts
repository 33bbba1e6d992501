import { createHash } from 'node:crypto';

// Function words carry no retrieval signal; corpus-frequent terms are cut separately at query time.
const STOPWORDS = new Set(
  `a about above after again against all am an and any are as at be because been before being below between both but by can could did do does doing down during each few for from further had has have having he her here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other our ours ourselves out over own same she should so some such than that the their theirs them themselves then there these they this those through to too under until up very was we were what when where which while who whom why will with would you your yours yourself yourselves also did does get got let may might must shall`.split(
    /\s+/,
  ),
);

/** Splits text into words, breaking camelCase, snake_case and dotted identifiers apart. */
export function splitWords(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

const PLURALS: [RegExp, string][] = [
  [/ies$/, 'y'],
  [/sses$/, 'ss'],
  [/([^s])s$/, '$1'],
];
const SUFFIXES: [RegExp, string][] = [
  [/ational$/, 'ate'],
  [/ization$/, 'ize'],
  [/ation$/, 'ate'],
  [/iveness$/, 'ive'],
  [/fulness$/, 'ful'],
  [/ousness$/, 'ous'],
  [/ments?$/, ''],
  [/ness$/, ''],
  [/ships?$/, ''],
  [/ities$|ity$/, ''],
  [/ions?$/, ''],
  [/ful$/, ''],
  [/ive$/, ''],
  [/able$|ible$/, ''],
  [/ing$/, ''],
  [/edly$/, ''],
  [/ed$/, ''],
  [/ly$/, ''],
  [/ers?$/, ''],
  [/ists?$/, ''],
];
const DOUBLED = /([b-df-hj-np-tv-z])\1$/;

/** Light suffix stripping so "deploying", "deployed" and "deploys" meet at "deploy". */
export function stem(word: string): string {
  if (word.length <= 4) return word;
  let w = word;
  for (const [re, rep] of PLURALS) {
    if (re.test(w)) {
      w = w.replace(re, rep);
      break;
    }
  }
  for (const [re, rep] of SUFFIXES) {
    if (re.test(w)) {
      const candidate = w.replace(re, rep);
      if (candidate.length >= 4) w = candidate;
      break;
    }
  }
  // "running" → "runn" → "run": undo the doubled consonant left by -ing/-ed.
  if (DOUBLED.test(w) && !/(ll|ss|zz)$/.test(w)) w = w.slice(0, -1);
  if (w.endsWith('e') && w.length > 4) w = w.slice(0, -1);
  return w;
}

// Vocabularies are small next to corpora: remembering each word's processed form saves most stemming work.
const processed = new Map<string, string | null>();
const PROCESSED_MAX = 200_000;

/** The index and query term pipeline: lower-case, drop stopwords, stem. */
export function processTerm(term: string): string | null {
  const known = processed.get(term);
  if (known !== undefined) return known;
  const lower = term.toLowerCase();
  const result = (lower.length < 2 && !/\d/.test(lower)) || STOPWORDS.has(lower) ? null : stem(lower);
  if (processed.size >= PROCESSED_MAX) processed.clear();
  processed.set(term, result);
  return result;
}

/** Distinct processed terms of a text. */
export function terms(text: string): string[] {
  const out = new Set<string>();
  for (const word of splitWords(text)) {
    const t = processTerm(word);
    if (t) out.add(t);
  }
  return [...out];
}

/** Content identity for deduplication: whitespace and case do not make a memory new. */
export function contentHash(content: string, category: string): string {
  const normalised = content.trim().replace(/\s+/g, ' ').toLowerCase();
  return createHash('sha256').update(`${category}\n${normalised}`).digest('hex').slice(0, 32);
}

/** Jaccard similarity of two term sets, for near-duplicate flags. */
export function similarity(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const set = new Set(a);
  let shared = 0;
  for (const t of b) if (set.has(t)) shared++;
  return shared / (set.size + b.length - shared);
}

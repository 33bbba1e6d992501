import { createHash } from 'node:crypto';

// Function words carry no retrieval signal; corpus-frequent terms are cut separately at query time.
const STOPWORDS = new Set(
  `a about above after again against all am an and any are as at be because been before being below between both but by can could did do does doing down during each few for from further had has have having he her here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other our ours ourselves out over own same she should so some such than that the their theirs them themselves then there these they this those through to too under until up very was we were what when where which while who whom why will with would you your yours yourself yourselves also did does get got let may might must shall kind type sort likely many much`.split(
    /\s+/,
  ),
);

/** Words too common in any text to tell memories apart. */
export function isStopword(word: string): boolean {
  return STOPWORDS.has(word.toLowerCase());
}

/** Splits text into words, breaking camelCase, snake_case and dotted identifiers apart. */
export function splitWords(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

// Porter's (1980) stemmer. A letter is a vowel if it is a, e, i, o, u, or a y after a consonant; the measure m
// of a stem counts its vowel-consonant sequences, and most rules only fire when the stem left is long enough.
const isVowelAt = (w: string, i: number): boolean =>
  'aeiou'.includes(w[i] as string) || (w[i] === 'y' && i > 0 && !isVowelAt(w, i - 1));

function measure(w: string): number {
  let m = 0;
  for (let i = 1; i < w.length; i++) if (!isVowelAt(w, i) && isVowelAt(w, i - 1)) m++;
  return m;
}

const hasVowel = (w: string): boolean => [...w].some((_, i) => isVowelAt(w, i));
const doubleConsonant = (w: string): boolean =>
  w.length > 1 && w[w.length - 1] === w[w.length - 2] && !isVowelAt(w, w.length - 1);
/** Consonant-vowel-consonant ending, the last not w, x or y: such short stems keep or regain a final e ("hope"). */
const cvc = (w: string): boolean => {
  const n = w.length;
  return n >= 3 && !isVowelAt(w, n - 1) && isVowelAt(w, n - 2) && !isVowelAt(w, n - 3) && !/[wxy]$/.test(w);
};

/** Replaces the first matching suffix when the stem left before it satisfies `ok`; unchanged otherwise. */
function replaceSuffix(w: string, rules: [string, string][], ok: (stem: string) => boolean): string {
  for (const [suffix, rep] of rules) {
    if (!w.endsWith(suffix)) continue;
    const base = w.slice(0, -suffix.length);
    return ok(base) ? base + rep : w;
  }
  return w;
}

const STEP2: [string, string][] = [
  ['ational', 'ate'], ['tional', 'tion'], ['enci', 'ence'], ['anci', 'ance'], ['izer', 'ize'], ['bli', 'ble'],
  ['alli', 'al'], ['entli', 'ent'], ['eli', 'e'], ['ousli', 'ous'], ['ization', 'ize'], ['ation', 'ate'],
  ['ator', 'ate'], ['alism', 'al'], ['iveness', 'ive'], ['fulness', 'ful'], ['ousness', 'ous'], ['aliti', 'al'],
  ['iviti', 'ive'], ['biliti', 'ble'], ['logi', 'log'],
];
const STEP3: [string, string][] = [
  ['icate', 'ic'], ['ative', ''], ['alize', 'al'], ['iciti', 'ic'], ['ical', 'ic'], ['ful', ''], ['ness', ''],
];
const STEP4 = [
  'ement', 'ance', 'ence', 'able', 'ible', 'ment', 'ant', 'ent', 'ism', 'ate', 'iti', 'ous', 'ive', 'ize', 'ion',
  'al', 'er', 'ic', 'ou',
].map((s): [string, string] => [s, '']);

/** Suffix stripping so "deploying", "deployed" and "deploys" meet at "deploy", and "hiking" meets "hike". */
export function stem(word: string): string {
  if (word.length <= 2 || /\d/.test(word)) return word;
  let w = word;
  // Step 1: plurals, -ed and -ing.
  if (w.endsWith('sses') || w.endsWith('ies')) w = w.slice(0, -2);
  else if (w.endsWith('s') && !w.endsWith('ss')) w = w.slice(0, -1);
  if (w.endsWith('eed')) {
    if (measure(w.slice(0, -3)) > 0) w = w.slice(0, -1);
  } else {
    const suffix = w.endsWith('ed') ? 'ed' : w.endsWith('ing') ? 'ing' : '';
    const base = w.slice(0, w.length - suffix.length);
    if (suffix && hasVowel(base)) {
      w = base;
      if (/(at|bl|iz)$/.test(w)) w += 'e';
      else if (doubleConsonant(w) && !/[lsz]$/.test(w)) w = w.slice(0, -1);
      else if (measure(w) === 1 && cvc(w)) w += 'e';
    }
  }
  if (w.endsWith('y') && hasVowel(w.slice(0, -1))) w = `${w.slice(0, -1)}i`;
  // Steps 2-4: derivational suffixes, each only off a long enough stem.
  w = replaceSuffix(w, STEP2, (b) => measure(b) > 0);
  w = replaceSuffix(w, STEP3, (b) => measure(b) > 0);
  w = replaceSuffix(w, STEP4, (b) => measure(b) > 1 && (!w.endsWith('ion') || /[st]$/.test(b)));
  // Step 5: a final e, and a final double l.
  if (w.endsWith('e')) {
    const m = measure(w.slice(0, -1));
    if (m > 1 || (m === 1 && !cvc(w.slice(0, -1)))) w = w.slice(0, -1);
  }
  if (w.endsWith('ll') && measure(w) > 1) w = w.slice(0, -1);
  return w;
}

/** Irregular verb forms no suffix rule reaches, mapped to their base so "went hiking" answers "go hiking". */
const IRREGULAR = new Map<string, string>(
  `went:go gone:go ran:run made:make took:take taken:take saw:see seen:see bought:buy gave:give given:give
  found:find felt:feel met:meet told:tell thought:think came:come began:begin begun:begin brought:bring
  built:build wrote:write written:write lost:lose won:win sang:sing sung:sing drew:draw drawn:draw taught:teach
  caught:catch kept:keep spent:spend sent:send held:hold heard:hear knew:know known:know paid:pay said:say
  sold:sell chose:choose chosen:choose fell:fall fallen:fall flew:fly flown:fly grew:grow grown:grow ate:eat
  eaten:eat drove:drive driven:drive rode:ride ridden:ride swam:swim threw:throw thrown:throw wore:wear
  worn:wear broke:break broken:break forgot:forget forgotten:forget became:become spoke:speak spoken:speak
  stole:steal understood:understand shot:shoot fought:fight sought:seek`
    .split(/\s+/)
    .map((pair) => pair.split(':') as [string, string]),
);

/** Each irregular verb's forms, by the stem of its base form. */
const IRREGULAR_FORMS = new Map<string, string[]>();
for (const [form, base] of IRREGULAR) {
  const key = stem(base);
  IRREGULAR_FORMS.set(key, [...(IRREGULAR_FORMS.get(key) ?? [base]), form]);
}

/** Every form of an irregular verb, given any of them or a regular form ("went" or "writing": go, went, gone). */
export function irregularForms(word: string): string[] {
  const lower = word.toLowerCase();
  return IRREGULAR_FORMS.get(stem(IRREGULAR.get(lower) ?? lower)) ?? [];
}

// Vocabularies are small next to corpora: remembering each word's processed form saves most stemming work.
const processed = new Map<string, string | null>();
const PROCESSED_MAX = 200_000;

/** The index and query term pipeline: lower-case, drop stopwords, stem. */
export function processTerm(term: string): string | null {
  const known = processed.get(term);
  if (known !== undefined) return known;
  const lower = term.toLowerCase();
  const result = (lower.length < 2 && !/\d/.test(lower)) || STOPWORDS.has(lower) ? null : stem(IRREGULAR.get(lower) ?? lower);
  if (processed.size >= PROCESSED_MAX) processed.clear();
  processed.set(term, result);
  return result;
}

/** Processed terms of a text in order, repeats kept (term frequencies count them). */
export function termList(text: string): string[] {
  const out: string[] = [];
  for (const word of splitWords(text)) {
    const t = processTerm(word);
    if (t) out.push(t);
  }
  return out;
}

/** Distinct processed terms of a text. */
export function terms(text: string): string[] {
  return [...new Set(termList(text))];
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

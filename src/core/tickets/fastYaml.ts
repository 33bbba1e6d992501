// A fast reader for the plain YAML subset both ticket tools emit: top-level `key: scalar`, block sequences of
// scalars, one level of nested mapping, empty `[]`/`{}`, CRLF line ends, `#` comments and quoted scalars with
// the common escapes. Anything else (block scalars, anchors, flow collections, tabs, floats, rare escapes) returns
// undefined and the caller falls back to the `yaml` library, which is ~10x slower but complete. A property test
// checks that both agree on every fixture and on generated input.

export interface FastYamlResult {
  data: Record<string, unknown>;
  /** 0-based line of each top-level key. */
  keyLines: Map<string, number>;
}

const KEY_LINE = /^([A-Za-z_][A-Za-z0-9_-]*):(?: (.*))?$/;
const NESTED_KEY_LINE = /^( +)([A-Za-z_][A-Za-z0-9_-]*):(?: (.*))?$/;
const ITEM_LINE = /^( *)- (.*)$/;
const INT = /^[-+]?[0-9]+$/;
const FLOATISH = /^[-+]?(?:\.[0-9]|[0-9]+\.|[0-9]+[eE]|\.(?:inf|nan)$)/i;
const NULLISH = new Set(['', '~', 'null', 'Null', 'NULL']);
const BOOLS = new Map([['true', true], ['True', true], ['TRUE', true], ['false', false], ['False', false], ['FALSE', false]]);
const UNSAFE_START = /^[-?:,[\]{}#&*!|>'"%@`]/;

const BAIL = Symbol('bail');
type Scalar = string | number | boolean | null | unknown[] | Record<string, never> | typeof BAIL;

// The double-quoted escapes hand-edited tickets use; others (\x, \U, \N, line continuations) bail.
const ESCAPES = new Map([['"', '"'], ['\\', '\\'], ['/', '/'], ['n', '\n'], ['t', '\t'], ['r', '\r'], ['0', '\0'], ['b', '\b'], ['f', '\f'], [' ', ' ']]);

function doubleQuoted(v: string): Scalar {
  if (!/^"(?:[^"\\]|\\.)*"$/.test(v)) return BAIL;
  let out = '';
  for (let i = 1; i < v.length - 1; i++) {
    const c = v[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = v[++i];
    if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(v.slice(i + 1, i + 5))) {
      out += String.fromCharCode(parseInt(v.slice(i + 1, i + 5), 16));
      i += 4;
      continue;
    }
    const escaped = ESCAPES.get(next);
    if (escaped === undefined) return BAIL;
    out += escaped;
  }
  return out;
}

/**
 * The value part of a line without its comment: YAML starts a comment at `#` after white space, outside quotes.
 * Returns BAIL for text after a closing quote that is not a comment.
 */
function withoutComment(raw: string): string | typeof BAIL {
  const v = raw.trimStart();
  if (v.startsWith('#')) return '';
  const quote = v[0];
  if (quote === '"' || quote === "'") {
    const end = quote === '"' ? /^"(?:[^"\\]|\\.)*"/.exec(v) : /^'(?:[^']|'')*'/.exec(v);
    if (!end) return raw; // an unclosed quote: a multi-line scalar or an error, for the callers to judge
    const rest = v.slice(end[0].length);
    return rest.trim() === '' || /^\s+#/.test(rest) ? end[0] : BAIL;
  }
  const hash = v.search(/\s#/);
  return hash === -1 ? raw : v.slice(0, hash);
}

function scalar(raw: string): Scalar {
  const v = raw.trim();
  if (v === '[]') return [];
  if (v === '{}') return {};
  if (v.startsWith('"')) return doubleQuoted(v);
  if (v.startsWith("'")) return /^'(?:[^']|'')*'$/.test(v) ? v.slice(1, -1).replace(/''/g, "'") : BAIL;
  if (NULLISH.has(v)) return null;
  const bool = BOOLS.get(v);
  if (bool !== undefined) return bool;
  if (INT.test(v)) {
    const n = Number(v);
    return Number.isSafeInteger(n) && !/^[-+]?0\d/.test(v) ? n : BAIL;
  }
  if (FLOATISH.test(v) || /^[-+]?0[xXoObB]/.test(v) || UNSAFE_START.test(v) || v.includes(': ') || v.includes(' #') || v.endsWith(':') || v.includes('\t')) return BAIL;
  return v;
}

export function fastParseYaml(source: string): FastYamlResult | undefined {
  const text = source.includes('\r') ? source.replace(/\r\n/g, '\n') : source;
  if (text.includes('\t') || text.includes('&') || text.includes('\r')) return undefined;
  const lines = text.split('\n').map(lineWithoutComment);
  if (lines.includes(BAIL_LINE)) return undefined;
  const data: Record<string, unknown> = {};
  const keyLines = new Map<string, number>();
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line === '') {
      i++;
      continue;
    }
    const m = KEY_LINE.exec(line);
    if (!m || keyLines.has(m[1]) || m[1] === '__proto__') return undefined;
    const key = m[1];
    keyLines.set(key, i);
    i++;
    if (m[2] !== undefined && m[2].trim() !== '') {
      const folded = readFolded(lines, i, 0, m[2]);
      if (!folded) return undefined;
      data[key] = folded.value;
      i = folded.next;
      continue;
    }
    // Empty value: a block sequence, a nested mapping, or null.
    const next = lines[i] ?? '';
    if (ITEM_LINE.test(next)) {
      const list = readItems(lines, i);
      if (!list) return undefined;
      data[key] = list.items;
      i = list.next;
    } else if (NESTED_KEY_LINE.test(next)) {
      const map = readNestedMap(lines, i);
      if (!map) return undefined;
      data[key] = map.map;
      i = map.next;
    } else if (next === '' || KEY_LINE.test(next)) {
      data[key] = null;
    } else return undefined;
  }
  return { data, keyLines };
}

// A line whose text after a quoted value is not a comment: beyond the subset.
const BAIL_LINE = '\u0000bail';

/**
 * A line as the subset reads it: a whole-line comment is blank, a trailing comment is cut after `key:` or `- `.
 * Keys never contain `#` here (KEY_LINE), so the cut only ever applies to values.
 */
function lineWithoutComment(line: string): string {
  if (!line.includes('#')) return line;
  if (/^\s*#/.test(line)) return '';
  const m = /^(\s*(?:- |[A-Za-z_][A-Za-z0-9_-]*:(?= |$)))(.*)$/.exec(line);
  if (!m) return line.includes(' #') ? BAIL_LINE : line;
  const value = withoutComment(m[2]);
  if (value === BAIL) return BAIL_LINE;
  return value === '' ? m[1].trimEnd() : `${m[1]}${m[2].startsWith(' ') ? ' ' : ''}${value.trim()}`;
}

/**
 * A scalar and its continuation lines (indented deeper than its key), folded as YAML folds flow scalars:
 * one line break becomes a space, each blank line a newline.
 */
function readFolded(lines: string[], start: number, keyIndent: number, first: string): { value: unknown; next: number } | undefined {
  let end = start;
  while (end < lines.length) {
    const line = lines[end];
    if (line.trim() === '') {
      end++;
      continue;
    }
    if (indentOf(line) <= keyIndent || ITEM_LINE.test(line)) break;
    end++;
  }
  while (end > start && lines[end - 1].trim() === '') end--;
  if (end === start) {
    const value = scalar(first);
    return value === BAIL ? undefined : { value, next: start };
  }
  let text = first.trim();
  let blank = false;
  for (let i = start; i < end; i++) {
    const line = lines[i].trim();
    if (line === '') {
      text += '\n';
      blank = true;
    } else {
      text += blank ? line : ` ${line}`;
      blank = false;
    }
  }
  const value = text.startsWith('"') || text.startsWith("'") ? scalar(text) : typeof scalar(text) === 'string' ? text : BAIL;
  return value === BAIL || typeof value !== 'string' ? undefined : { value, next: end };
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

function readItems(lines: string[], start: number, indent?: number): { items: unknown[]; next: number } | undefined {
  const items: unknown[] = [];
  let i = start;
  const first = ITEM_LINE.exec(lines[i])!;
  const level = indent ?? first[1].length;
  while (i < lines.length) {
    const m = ITEM_LINE.exec(lines[i]);
    if (!m || m[1].length !== level) break;
    const value = scalar(m[2]);
    if (value === BAIL || Array.isArray(value) || (value !== null && typeof value === 'object') || m[2].trim() === '') return undefined;
    items.push(value);
    i++;
  }
  // A line indented deeper than the items (a wrapped value, a nested structure) is beyond this subset.
  if (i < lines.length && lines[i] !== '' && /^ /.test(lines[i]) && !NESTED_KEY_LINE.test(lines[i])) return undefined;
  return { items, next: i };
}

function readNestedMap(lines: string[], start: number): { map: Record<string, unknown>; next: number } | undefined {
  const map: Record<string, unknown> = {};
  const indent = NESTED_KEY_LINE.exec(lines[start])![1].length;
  let i = start;
  while (i < lines.length) {
    const m = NESTED_KEY_LINE.exec(lines[i]);
    if (!m) break;
    if (m[1].length !== indent || Object.hasOwn(map, m[2]) || m[2] === '__proto__') return undefined;
    i++;
    if (m[3] !== undefined && m[3].trim() !== '') {
      const folded = readFolded(lines, i, indent, m[3]);
      if (!folded) return undefined;
      map[m[2]] = folded.value;
      i = folded.next;
      continue;
    }
    const next = lines[i] ?? '';
    const item = ITEM_LINE.exec(next);
    if (item && item[1].length >= indent) {
      const list = readItems(lines, i);
      if (!list) return undefined;
      map[m[2]] = list.items;
      i = list.next;
    } else if (next === '' || KEY_LINE.test(next) || (NESTED_KEY_LINE.exec(next)?.[1].length ?? -1) === indent) {
      map[m[2]] = null;
    } else return undefined;
  }
  if (i < lines.length && lines[i] !== '' && !KEY_LINE.test(lines[i])) return undefined;
  return { map, next: i };
}

// Edits a ticket file in place, changing only the keys asked for: every other byte (unknown keys, key order,
// comments, quoting, the body) stays as it was. New keys go last, or in sorted position for sorted files.

import { isMap, isScalar, parseDocument, stringify, type Pair } from 'yaml';
import { findFrontmatter } from './frontmatter';

/** New values by key; `undefined` removes the key. */
export type FieldChanges = Record<string, unknown>;

export class TicketWriteError extends Error {}

interface Edit {
  start: number;
  end: number;
  text: string;
}

export function editFrontmatter(text: string, changes: FieldChanges, options: { sortedKeys?: boolean } = {}): string {
  const block = findFrontmatter(text);
  if (block.kind !== 'found') throw new TicketWriteError('the file has no frontmatter to edit');
  const yamlText = text.slice(block.yamlStart, block.yamlEnd);
  const doc = parseDocument(yamlText);
  if (doc.errors.length) throw new TicketWriteError(`the frontmatter is not valid YAML: ${doc.errors[0].message.split('\n')[0]}`);
  if (!isMap(doc.contents)) throw new TicketWriteError('the frontmatter is not a key: value mapping');
  const pairs = doc.contents.items as Pair[];
  const eol = block.eol;
  const edits: Edit[] = [];

  for (const [key, value] of Object.entries(changes)) {
    const pair = pairs.find((p) => isScalar(p.key) && p.key.value === key);
    if (pair) {
      const edit = editPair(yamlText, pair, key, value, eol);
      if (edit) edits.push(edit);
    } else if (value !== undefined) {
      const at = options.sortedKeys ? sortedInsertionPoint(yamlText, pairs, key) : yamlText.length;
      const prefix = at === yamlText.length && yamlText.length > 0 && !yamlText.endsWith('\n') ? eol : '';
      edits.push({ start: at, end: at, text: prefix + renderPair(key, value, eol) });
    }
  }
  edits.sort((a, b) => b.start - a.start);
  let yaml = yamlText;
  for (const edit of edits) yaml = yaml.slice(0, edit.start) + edit.text + yaml.slice(edit.end);
  return text.slice(0, block.yamlStart) + yaml + text.slice(block.yamlEnd);
}

function editPair(yamlText: string, pair: Pair, key: string, value: unknown, eol: string): Edit | undefined {
  const keyNode = pair.key as { range?: [number, number, number] };
  const lineStart = yamlText.lastIndexOf('\n', keyNode.range![0] - 1) + 1;
  const valueNode = pair.value as { range?: [number, number, number] } | null;
  const pairEnd = lineEndAfter(yamlText, valueNode?.range?.[2] ?? keyNode.range![2]);
  if (value === undefined) return { start: lineStart, end: pairEnd, text: '' };
  // A one-line scalar is replaced in place, so a trailing comment and the key's spacing survive.
  if (isScalar(valueNode) && isInlineValue(value) && valueNode.range && valueNode.range[1] > valueNode.range[0] && !yamlText.slice(valueNode.range[0], valueNode.range[1]).includes('\n')) {
    if (valueNode.value === value) return undefined;
    return { start: valueNode.range[0], end: valueNode.range[1], text: renderScalar(value) };
  }
  return { start: lineStart, end: pairEnd, text: renderPair(key, value, eol) };
}

function isInlineValue(value: unknown): boolean {
  return value === null || typeof value === 'number' || typeof value === 'boolean' || (typeof value === 'string' && !value.includes('\n'));
}

function renderScalar(value: unknown): string {
  return stringify(value, { lineWidth: 0 }).replace(/\n$/, '');
}

/** `key: value` as YAML lines (block style, indented sequences, as both tools write), ending with a newline. */
export function renderPair(key: string, value: unknown, eol = '\n'): string {
  const out = stringify({ [key]: value }, { lineWidth: 0 });
  return eol === '\n' ? out : out.replace(/\n/g, eol);
}

/** The offset just past the line holding `offset - 1` (a node's end), newline included. */
function lineEndAfter(text: string, offset: number): number {
  if (offset > 0 && text[offset - 1] === '\n') return offset;
  const newline = text.indexOf('\n', offset);
  return newline === -1 ? text.length : newline + 1;
}

function sortedInsertionPoint(yamlText: string, pairs: Pair[], key: string): number {
  const next = pairs.find((p) => isScalar(p.key) && String(p.key.value) > key);
  const range = (next?.key as { range?: [number, number, number] } | undefined)?.range;
  return range ? yamlText.lastIndexOf('\n', range[0] - 1) + 1 : yamlText.length;
}

/** Appends a markdown section (`## Note: …`) to the body, separated by one blank line, in the file's line endings. */
export function appendSection(text: string, section: string): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const trimmed = text.replace(/(?:\r?\n)+$/, '');
  return `${trimmed}${eol}${eol}${section.replace(/\r?\n/g, eol).replace(/(?:\r?\n)+$/, '')}${eol}`;
}

/** The markdown body of a file; the leaked `content:` key stands in when the body is empty (formats.md §3a). */
export function ticketBody(text: string): string {
  const block = findFrontmatter(text);
  if (block.kind !== 'found') return text.replace(/^\uFEFF/, '');
  const body = text.slice(block.bodyStart);
  if (body.trim() !== '') return body;
  const doc = parseDocument(text.slice(block.yamlStart, block.yamlEnd));
  const content = isMap(doc.contents) ? doc.contents.get('content') : undefined;
  return typeof content === 'string' ? content : body;
}

// Locates the YAML frontmatter of a markdown file by offsets, so that edits can splice the original text.

export interface FrontmatterBlock {
  /** Offset of the first YAML character (after the opening `---` line). */
  yamlStart: number;
  /** Offset just past the YAML (the start of the closing `---` line). */
  yamlEnd: number;
  /** Offset of the body (after the closing line and its newline). */
  bodyStart: number;
  /** 1-based line of the first YAML line, to map YAML positions back to the file. */
  firstLine: number;
  eol: '\n' | '\r\n';
  /** Text above the opening line: a "TICKET CLOSED" banner that archived tickets carry. */
  banner?: string;
}

export type FrontmatterSearch = { kind: 'none' } | { kind: 'unclosed'; firstLine: number } | ({ kind: 'found' } & FrontmatterBlock);

const OPENING = /^\uFEFF?---[ \t]*\r?\n/;
const CLOSING = /^(?:---|\.\.\.)[ \t]*\r?$/;
// Archived tickets of some trees start with a closing banner, then the frontmatter: a few lines at most.
const BANNER = /^\uFEFF?(?:[^\n]*\n){0,12}?[^\n]*TICKET CLOSED[^\n]*\n(?:[^\n]*\n){0,12}?(---[ \t]*\r?\n)/i;

export function findFrontmatter(text: string): FrontmatterSearch {
  const open = OPENING.exec(text);
  if (open) return findClosing(text, open[0].length, open[0].endsWith('\r\n') ? '\r\n' : '\n', 2);
  const banner = BANNER.exec(text.slice(0, 4000));
  if (!banner) return { kind: 'none' };
  const yamlStart = banner[0].length;
  const firstLine = countLines(banner[0]) + 1;
  const found = findClosing(text, yamlStart, banner[1].endsWith('\r\n') ? '\r\n' : '\n', firstLine);
  // A banner followed by an unclosed block is prose that happens to contain a rule, not a ticket.
  return found.kind === 'found' ? { ...found, banner: text.slice(0, yamlStart - banner[1].length) } : { kind: 'none' };
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function findClosing(text: string, yamlStart: number, eol: '\n' | '\r\n', firstLine: number): FrontmatterSearch {
  let lineStart = yamlStart;
  while (lineStart <= text.length) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    if (CLOSING.test(text.slice(lineStart, lineEnd))) {
      return { kind: 'found', yamlStart, yamlEnd: lineStart, bodyStart: newline === -1 ? text.length : newline + 1, firstLine, eol };
    }
    if (newline === -1) break;
    lineStart = newline + 1;
  }
  return { kind: 'unclosed', firstLine };
}

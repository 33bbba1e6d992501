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
}

export type FrontmatterSearch = { kind: 'none' } | { kind: 'unclosed'; firstLine: number } | ({ kind: 'found' } & FrontmatterBlock);

const OPENING = /^\uFEFF?---[ \t]*\r?\n/;
const CLOSING = /^(?:---|\.\.\.)[ \t]*\r?$/;

export function findFrontmatter(text: string): FrontmatterSearch {
  const open = OPENING.exec(text);
  if (!open) return { kind: 'none' };
  const yamlStart = open[0].length;
  const eol = open[0].endsWith('\r\n') ? '\r\n' : '\n';
  let lineStart = yamlStart;
  while (lineStart <= text.length) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    if (CLOSING.test(text.slice(lineStart, lineEnd))) {
      return { kind: 'found', yamlStart, yamlEnd: lineStart, bodyStart: newline === -1 ? text.length : newline + 1, firstLine: 2, eol };
    }
    if (newline === -1) break;
    lineStart = newline + 1;
  }
  return { kind: 'unclosed', firstLine: 2 };
}

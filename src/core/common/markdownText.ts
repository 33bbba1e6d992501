// User text (ticket titles, memory categories, agent descriptions, run errors) placed in Markdown that the editor
// renders: tooltips, hovers, reports. Escaped so it shows as typed: no emphasis, headings or lists it did not
// ask for, no links or remote images (`![x](https://…)` would load when the hover opens), no autolinked URLs,
// no theme icons (`$(…)`), no raw HTML. Only characters with a meaning are escaped, so nothing reads `claude\-3`.

// `-`, `+`, `#`, `.` and `)` only mean something at the start of a line (lists, headings); `.`/`)` after digits.
const INLINE_SPECIAL = /[\\`*_[\]<>|~$!&]/g;
const LINE_START = /^(\s*)([-+#>=]|\d+[.)])/gm;

/** Escapes user text for inline use in a MarkdownString; line breaks become spaces. */
export function markdownText(text: string): string {
  return markdownBlock(text.replace(/\s*\n\s*/g, ' '));
}

/** Like markdownText, keeping line breaks as paragraph breaks. */
export function markdownBlock(text: string): string {
  return text
    .replace(INLINE_SPECIAL, '\\$&')
    .replace(LINE_START, (_m, space: string, marker: string) => `${space}${marker.replace(/[-+#>=.)]$/, '\\$&')}`)
    .replace(/:\/\//g, '&#58;//')
    .replace(/\bwww\./gi, (w) => `${w.slice(0, 3)}&#46;`)
    .replace(/\n/g, '\n\n');
}

/** An inline code span holding `text` verbatim: a fence longer than any backtick run inside, nothing escaped. */
export function markdownCode(text: string): string {
  const oneLine = text.replace(/\s*\n\s*/g, ' ');
  const longestRun = Math.max(0, ...(oneLine.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = oneLine.startsWith('`') || oneLine.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${oneLine}${pad}${fence}`;
}

/** Shortens text to at most `max` characters at a word boundary, with an ellipsis: no word is cut in half. */
export function shortenAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.search(/\s\S*$/);
  return `${(space > 0 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

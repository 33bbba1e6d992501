// Branch and path filters of workflow triggers, in the glob dialect of GitHub Actions' `branches`/`paths`:
// `*` matches within one path segment, `**` across segments, `?` one character, `{a,b}` alternatives.
// Compiled to a RegExp without backtracking hazards: every construct maps to a fixed class.

const cache = new Map<string, RegExp>();
const MAX_PATTERN = 500;

/** Whether `value` (a branch name or a repository-relative path) matches the glob `pattern`. */
export function globMatches(pattern: string, value: string): boolean {
  return compileGlob(pattern).test(value);
}

export function compileGlob(pattern: string): RegExp {
  let compiled = cache.get(pattern);
  if (!compiled) {
    if (pattern.length > MAX_PATTERN) throw new Error(`glob longer than ${MAX_PATTERN} characters`);
    compiled = new RegExp(`^${translate(pattern)}$`, 'u');
    if (cache.size > 1000) cache.clear();
    cache.set(pattern, compiled);
  }
  return compiled;
}

function translate(pattern: string): string {
  let out = '';
  let braces = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        // `**/` also matches no folder at all, so `src/**/x.ts` matches `src/x.ts`.
        if (pattern[i + 1] === '/') {
          i++;
          out += '(?:.*/)?';
        } else out += '.*';
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '{') {
      braces++;
      out += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      out += ')';
    } else if (c === ',' && braces > 0) out += '|';
    else out += c.replace(/[.+^$()|[\]\\{}]/g, '\\$&');
  }
  if (braces > 0) throw new Error(`unclosed '{' in glob '${pattern}'`);
  return out;
}

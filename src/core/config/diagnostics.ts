import type { z } from 'zod';

/** A problem found in a user's file: which file, where, and what was expected. */
export interface FileDiagnostic {
  file: string;
  /** 1-based line, when known. */
  line?: number;
  column?: number;
  /** Dotted key path inside the file, when the problem is a value. */
  key?: string;
  message: string;
  /** What kind of problem, for editors to offer a fix by (e.g. `ticket-without-frontmatter`). */
  code?: string;
  /** `info`: worth knowing, nothing wrong (a note named like a ticket, without frontmatter). */
  severity: 'error' | 'warning' | 'info';
}

export function formatDiagnostic(d: FileDiagnostic): string {
  const where = d.line ? `${d.file}:${d.line}${d.column ? `:${d.column}` : ''}` : d.file;
  return `${where}: ${d.key ? `${d.key}: ` : ''}${d.message}`;
}

/**
 * Fails closed: rejects when a configuration file has errors, naming each with its file, line and column, so no
 * command carries on with defaults in place of a broken setting (a mem0 backend silently becoming the embedded store).
 */
export function assertNoErrors(diagnostics: readonly FileDiagnostic[]): void {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`${errors.map(formatDiagnostic).join('\n')}\nFix the configuration and run the command again ('claude-pm config show' lists every problem).`);
}

/** Turns zod issues into diagnostics that name the key and say what was expected. */
export function zodIssuesToDiagnostics(file: string, issues: readonly z.core.$ZodIssue[], severity: 'error' | 'warning' = 'error'): FileDiagnostic[] {
  return issues.map((issue) => ({
    file,
    key: issue.path.map(String).join('.') || undefined,
    message: issue.message,
    severity,
  }));
}

/** 1-based line and column of a character offset. */
export function positionAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

export type JsonParseResult = { ok: true; value: unknown } | { ok: false; message: string; line?: number; column?: number };

/**
 * Parses a user's JSON file (a leading BOM allowed); a syntax error comes back with its line and column.
 * A `__proto__` key is refused too: every later copy of the value (schema parsing, spreads) would drop it or
 * turn it into the object's prototype, so it could never mean what the file says.
 */
export function parseJsonText(text: string): JsonParseResult {
  const source = text.replace(/^\uFEFF/, '');
  let protoKey = false;
  try {
    const value: unknown = JSON.parse(source, (key, v: unknown) => {
      if (key === '__proto__') protoKey = true;
      return v;
    });
    if (!protoKey) return { ok: true, value };
    const at = /"(?:__proto__|[^"]*\\u[^"]*)"\s*:/.exec(source);
    const offset = at ? at.index + text.length - source.length : undefined;
    return { ok: false, message: 'the key "__proto__" is not allowed', ...(offset !== undefined ? positionAt(text, offset) : {}) };
  } catch (error) {
    const message = (error as Error).message;
    const match = /position (\d+)/.exec(message);
    return { ok: false, message, ...(match ? positionAt(text, Number(match[1])) : {}) };
  }
}

/**
 * Where a key path's value starts in JSON text, found by looking for each key in turn after the previous one:
 * good enough to point an editor at the problem, and no second parser.
 */
export function locateKey(text: string, path: readonly PropertyKey[]): { line?: number; column?: number } {
  let offset = 0;
  for (const segment of path) {
    if (typeof segment !== 'string') continue;
    const at = text.indexOf(`${JSON.stringify(segment)}`, offset);
    if (at < 0) return {};
    offset = at;
  }
  return path.length ? positionAt(text, offset) : {};
}

// CLAUDE.md template versions (formats.md §1). Three real CLAUDE_MD_VERSION forms exist:
// `4.5.1-008` (v4.x semver + serial), `015-003` (NNN-SSS) and `016` (plain serial). The v4.x
// numbering predates the reset to NNN serials, so it always sorts below them.

export type VersionForm = 'semver-serial' | 'serial-pair' | 'serial' | 'semver';

export interface TemplateVersion {
  raw: string;
  form: VersionForm;
  /** Numeric parts compared left to right after the era. */
  parts: number[];
}

const SEMVER_SERIAL = /^v?(\d+)\.(\d+)\.(\d+)-(\d+)$/;
const SERIAL_PAIR = /^(\d+)-(\d+)$/;
const SERIAL = /^(\d+)$/;
const SEMVER = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/;

/** Parses a CLAUDE_MD_VERSION or FRAMEWORK_VERSION value; undefined when it is none of the known forms. */
export function parseVersion(value: string | undefined): TemplateVersion | undefined {
  const raw = value?.trim();
  if (!raw) return undefined;
  let m = SEMVER_SERIAL.exec(raw);
  if (m) return { raw, form: 'semver-serial', parts: m.slice(1, 5).map(Number) };
  m = SERIAL_PAIR.exec(raw);
  if (m) return { raw, form: 'serial-pair', parts: [Number(m[1]), Number(m[2])] };
  m = SERIAL.exec(raw);
  if (m) return { raw, form: 'serial', parts: [Number(m[1]), 0] };
  m = SEMVER.exec(raw);
  if (m) return { raw, form: 'semver', parts: [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] };
  return undefined;
}

// NNN serials (with or without -SSS) form the current era; semver-based forms come from before the reset.
function era(version: TemplateVersion): number {
  return version.form === 'serial' || version.form === 'serial-pair' ? 1 : 0;
}

/** Numeric comparison: negative when a is older than b, 0 when equal, positive when newer. */
export function compareVersions(a: TemplateVersion, b: TemplateVersion): number {
  const byEra = era(a) - era(b);
  if (byEra !== 0) return byEra;
  const length = Math.max(a.parts.length, b.parts.length);
  for (let i = 0; i < length; i++) {
    const diff = (a.parts[i] ?? 0) - (b.parts[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

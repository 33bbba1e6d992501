/** `47 ms`, `1.5 s`, `12 s`, `3 m 05 s`, `1 h 02 m`: exact below a second, where rounding would show a misleading `0 s`. */
export function formatDuration(ms: number): string {
  if (Math.round(ms) < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 9_950) return `${(ms / 1000).toFixed(1).replace(/\.0$/, '')} s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} m`;
}

const UNIT_MS: ReadonlyMap<string, number> = new Map([
  ['s', 1000],
  ['m', 60_000],
  ['h', 3_600_000],
  ['d', 86_400_000],
  ['w', 604_800_000],
]);

/** `90s`, `30m`, `1h`, `2d`, `1w` (a whole number and one unit) in milliseconds; undefined for anything else. */
export function parseDurationText(text: string): number | undefined {
  const match = /^\s*(\d{1,6})\s*([smhdw])\s*$/i.exec(text);
  return match ? Number(match[1]) * UNIT_MS.get(match[2]!.toLowerCase())! : undefined;
}

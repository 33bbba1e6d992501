// How the dashboard words a run's cost and age.

/** `$1.25`, `$0.0042` (cents alone would round small agent runs to nothing), `—` when nothing reported a cost. */
export function formatUsd(costUsd: number | undefined, locale?: string): string {
  if (costUsd === undefined || !Number.isFinite(costUsd)) return '—';
  return new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: Math.abs(costUsd) >= 1 || costUsd === 0 ? 2 : 4 }).format(costUsd);
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['week', 7 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** `now`, `5 minutes ago`, `yesterday`, `3 weeks ago`. */
export function relativeTime(iso: string, now: number, locale?: string): string {
  const elapsed = now - Date.parse(iso);
  if (!Number.isFinite(elapsed)) return '—';
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const [unit, size] = UNITS.find(([, ms]) => Math.abs(elapsed) >= ms) ?? ['second', Number.POSITIVE_INFINITY];
  return format.format(-Math.round(elapsed / size), unit);
}

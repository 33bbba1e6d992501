// Shapes cost per day and agent type into the dashboard's stacked bar chart: one bar per UTC day of the range
// (days without runs included, at zero), the most expensive agent types as their own series and the rest
// together, and round axis ticks. Pure, so the webview draws it and tests check it.
import type { DailyAgentCost } from '../core/orchestration/runSource';

export interface CostSegment {
  series: number;
  costUsd: number;
  /** Where the segment starts and ends on the cost axis. */
  from: number;
  to: number;
}

export interface CostChart {
  days: string[];
  /** Series names in legend and stacking order; the last is `other agents` when types were folded together. */
  series: string[];
  seriesTotals: number[];
  bars: { day: string; total: number; segments: CostSegment[] }[];
  /** Cost axis ticks from 0; the last is the axis top. */
  ticks: number[];
  total: number;
}

/** The ranges the chart offers, in days; the host sends cost for the longest. */
export const COST_RANGE_DAYS = [7, 30, 90] as const;

/** Distinct colours the theme offers for charts; further agent types share one series. */
export const MAX_SERIES = 6;
export const OTHER_SERIES = 'other agents';
const DAY_MS = 86_400_000;

/** The `count` UTC days ending with `today` (YYYY-MM-DD), oldest first. */
export function dayRange(today: string, count: number): string[] {
  const end = Date.parse(`${today}T00:00:00Z`);
  if (!Number.isFinite(end)) throw new RangeError(`not a day: ${today}`);
  return Array.from({ length: Math.max(0, count) }, (_, i) => new Date(end - (count - 1 - i) * DAY_MS).toISOString().slice(0, 10));
}

export function shapeCostChart(costs: readonly DailyAgentCost[], today: string, dayCount: number): CostChart {
  const days = dayRange(today, dayCount);
  const inRange = new Set(days);
  // Agent types come from run files: Maps, never objects keyed by them.
  const byType = new Map<string, number>();
  for (const c of costs) if (inRange.has(c.day) && c.costUsd > 0) byType.set(c.agentType, (byType.get(c.agentType) ?? 0) + c.costUsd);
  const ranked = [...byType].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const folded = ranked.length > MAX_SERIES;
  const own = folded ? ranked.slice(0, MAX_SERIES - 1) : ranked;
  const series = own.map(([name]) => name);
  if (folded) series.push(OTHER_SERIES);
  const seriesOf = new Map(own.map(([name], i) => [name, i]));
  const seriesTotals = series.map(() => 0);

  const perDay = new Map(days.map((d) => [d, series.map(() => 0)]));
  for (const c of costs) {
    const row = perDay.get(c.day);
    if (!row || !(c.costUsd > 0)) continue;
    const s = seriesOf.get(c.agentType) ?? series.length - 1;
    row[s]! += c.costUsd;
    seriesTotals[s]! += c.costUsd;
  }
  const bars = days.map((day) => {
    let top = 0;
    const segments: CostSegment[] = [];
    perDay.get(day)!.forEach((costUsd, s) => {
      if (costUsd <= 0) return;
      segments.push({ series: s, costUsd, from: top, to: top + costUsd });
      top += costUsd;
    });
    return { day, total: top, segments };
  });
  return { days, series, seriesTotals, bars, ticks: costTicks(Math.max(0, ...bars.map((b) => b.total))), total: seriesTotals.reduce((a, b) => a + b, 0) };
}

/** 0 and round steps (1, 2 or 5 × 10^k) up to at least `max`: about four gridlines. */
export function costTicks(max: number, target = 4): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / target;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const count = Math.ceil(max / step - 1e-9);
  // Rounded to the step's precision, so 0.1 + 0.2 reads 0.3.
  const digits = Math.max(0, -Math.floor(Math.log10(step)));
  return Array.from({ length: count + 1 }, (_, i) => Number((i * step).toFixed(digits)));
}

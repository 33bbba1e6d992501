// What every benchmark needs to report figures: the nearest-rank percentile of its samples.

/** The p-th percentile (nearest rank) of `values`, rounded to `decimals` places. */
export function percentile(values: readonly number[], p: number, decimals: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const value = sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
  return Number(value.toFixed(decimals));
}

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

// The framework's retry schedule: 1 s · 2^(n-1), here capped at 30 s.
export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1000, maxMs: 30_000 };

/**
 * The delay before retry number `attempt` (1-based): exponential growth with "equal jitter", i.e. a
 * random point in the upper half of the window, so retries of parallel steps do not fire in lockstep.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const window = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(window / 2 + random() * (window / 2));
}

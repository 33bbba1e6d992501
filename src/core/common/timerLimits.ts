/** The longest delay a Node timer honours (2^31 − 1 ms, about 24.8 days): a longer one fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
export const MAX_TIMER_SECONDS = Math.floor(MAX_TIMER_MS / 1000);

/** Why a duration is refused, for schemas and flags alike. */
export const tooLong = (unit: string, max: number) => `must be at most ${max} ${unit} (about 24 days): a longer timer would fire at once`;

/** Checks a number of seconds given on the command line; the error names the flag and says why. */
export function parseTimerSeconds(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new RangeError(`${flag} must be a positive number of seconds, not '${value}'`);
  if (n > MAX_TIMER_SECONDS) throw new RangeError(`${flag} ${tooLong('seconds', MAX_TIMER_SECONDS)}, not ${value}`);
  return n;
}

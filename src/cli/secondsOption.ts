import { parseTimerSeconds } from '../core/common/timerLimits';
import { UsageError } from './framework';

/** Reads a number of seconds given as `flag` (absent: undefined); a value no timer can wait is a usage error. */
export function secondsOption(value: unknown, flag: string): number | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return parseTimerSeconds(value, flag);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

import { z } from 'zod';
import { MAX_TIMER_MS, MAX_TIMER_SECONDS, tooLong } from './timerLimits';

/** A positive number of seconds that a timer can wait. */
export const timerSecondsSchema = () => z.number().positive().max(MAX_TIMER_SECONDS, { message: tooLong('seconds', MAX_TIMER_SECONDS) });

/** A positive whole number of milliseconds that a timer can wait. */
export const timerMillisecondsSchema = () => z.number().int().positive().max(MAX_TIMER_MS, { message: tooLong('milliseconds', MAX_TIMER_MS) });

import type { HealthAlert, HistoryEntry } from './reportSchema';

// Reading back what checks and the monitor recorded: `claude-pm alerts` and `claude-pm reports`.

/** The alerts raised at or after `since`, oldest first; entries whose time cannot be read are left out. */
export function alertsSince(alerts: readonly HealthAlert[], since: Date): HealthAlert[] {
  return alerts.filter((a) => Date.parse(a.timestamp) >= since.getTime());
}

/** One alert as raised by one or more checks: a monitor repeats an alert every sample until its cause goes away. */
export interface RepeatedAlert {
  level: HealthAlert['level'];
  message: string;
  first: string;
  last: string;
  count: number;
}

/** Folds the same alert (level and message) raised by several checks into one, in the order they first appeared. */
export function foldRepeats(alerts: readonly HealthAlert[]): RepeatedAlert[] {
  const byKey = new Map<string, RepeatedAlert>();
  for (const alert of alerts) {
    const key = `${alert.level}\n${alert.message}`;
    const seen = byKey.get(key);
    if (seen) {
      seen.last = alert.timestamp;
      seen.count++;
    } else byKey.set(key, { level: alert.level, message: alert.message, first: alert.timestamp, last: alert.timestamp, count: 1 });
  }
  return [...byKey.values()];
}

/** The newest `limit` recorded checks, newest first. */
export function newestReports(history: readonly HistoryEntry[], limit: number): HistoryEntry[] {
  return history.slice(-limit).reverse();
}

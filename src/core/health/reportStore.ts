import { readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../common/atomicFile';
import { CONFIG_DIR } from '../config/loadConfig';
import { redactValue } from '../common/redact';
import type { z } from 'zod';
import { alertSchema, entriesFileSchema, historyEntrySchema, type HealthAlert, type HealthReport, type HistoryEntry } from './reportSchema';

export const REPORT_FILE = join(CONFIG_DIR, 'logs', 'health-report.json');
export const HISTORY_FILE = join(CONFIG_DIR, 'logs', 'health-history.json');
/** The alerts every check raised, newest last (the real monitor's `health-alerts.log`, as JSON). */
export const ALERTS_FILE = join(CONFIG_DIR, 'logs', 'health-alerts.json');
/** About a week of checks every 5 minutes, a few hundred kilobytes on disk. */
export const MAX_HISTORY = 2000;
/** A few alerts per check over about a week of checks. */
export const MAX_ALERTS = 5000;

export function historyEntry(report: HealthReport): HistoryEntry {
  return {
    timestamp: report.timestamp,
    score: report.summary.overall_health_percentage,
    status: report.summary.status,
    services: report.summary.service_health_percentage,
    projects: report.summary.project_health_percentage,
    compliance: report.summary.framework_compliance,
    alerts: report.alerts.length,
  };
}

/** Appends entries and keeps only the newest `max`; pure so the extension can keep the same list in memory. */
export function appendBounded<T>(entries: readonly T[], added: readonly T[], max: number): T[] {
  const next = [...entries, ...added];
  return next.length > max ? next.slice(next.length - max) : next;
}

export function appendHistory(entries: readonly HistoryEntry[], entry: HistoryEntry, max = MAX_HISTORY): HistoryEntry[] {
  return appendBounded(entries, [entry], max);
}

/**
 * Reads one of the bounded logs; a missing file is an empty log. A corrupt one is moved aside (never deleted)
 * so the next write starts clean without losing what was there.
 */
async function loadEntries<T extends z.ZodType>(path: string, entry: T): Promise<z.infer<T>[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return [];
  }
  try {
    const parsed = entriesFileSchema(entry).safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data.entries;
  } catch {
    // Not JSON: handled below like a schema mismatch.
  }
  await rename(path, `${path}.corrupt-${Date.now()}`).catch(() => undefined);
  return [];
}

/** The health checks recorded so far, oldest first. */
export function loadHistory(root: string): Promise<HistoryEntry[]> {
  return loadEntries(join(root, HISTORY_FILE), historyEntrySchema);
}

/** The alerts recorded so far, oldest first. */
export function loadAlerts(root: string): Promise<HealthAlert[]> {
  return loadEntries(join(root, ALERTS_FILE), alertSchema);
}

/** Whether the project has a `.claude-pm` folder: reports are written only where the framework lives. */
export async function hasFrameworkFolder(root: string): Promise<boolean> {
  return stat(join(root, CONFIG_DIR)).then((s) => s.isDirectory(), () => false);
}

/**
 * Writes `health-report.json`, appends to the bounded history and, when the check raised alerts, to the bounded
 * alert log; each file atomically. Returns the new history.
 */
export async function saveReport(root: string, report: HealthReport, max = MAX_HISTORY, maxAlerts = MAX_ALERTS): Promise<HistoryEntry[]> {
  const redacted = redactValue(report);
  await writeJsonAtomic(join(root, REPORT_FILE), redacted);
  const entries = appendHistory(await loadHistory(root), historyEntry(report), max);
  await writeJsonAtomic(join(root, HISTORY_FILE), { version: 1, entries });
  if (redacted.alerts.length) await writeJsonAtomic(join(root, ALERTS_FILE), { version: 1, entries: appendBounded(await loadAlerts(root), redacted.alerts, maxAlerts) });
  return entries;
}

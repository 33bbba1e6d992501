import { readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../common/atomicFile';
import { CONFIG_DIR } from '../config/loadConfig';
import { redactValue } from '../common/redact';
import { historyFileSchema, type HealthReport, type HistoryEntry } from './reportSchema';

export const REPORT_FILE = join(CONFIG_DIR, 'logs', 'health-report.json');
export const HISTORY_FILE = join(CONFIG_DIR, 'logs', 'health-history.json');
/** About a week of checks every 5 minutes, a few hundred kilobytes on disk. */
export const MAX_HISTORY = 2000;

export function historyEntry(report: HealthReport): HistoryEntry {
  return {
    timestamp: report.timestamp,
    score: report.summary.overall_health_percentage,
    status: report.summary.status,
    services: report.summary.service_health_percentage,
    projects: report.summary.project_health_percentage,
    compliance: report.summary.framework_compliance,
  };
}

/** Appends an entry and keeps only the newest `max`; pure so the extension can keep the same list in memory. */
export function appendHistory(entries: readonly HistoryEntry[], entry: HistoryEntry, max = MAX_HISTORY): HistoryEntry[] {
  const next = [...entries, entry];
  return next.length > max ? next.slice(next.length - max) : next;
}

/**
 * Reads the history; a missing file is an empty history. A corrupt one is moved aside (never deleted)
 * so the next write starts clean without losing what was there.
 */
export async function loadHistory(root: string): Promise<HistoryEntry[]> {
  const path = join(root, HISTORY_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return [];
  }
  try {
    const parsed = historyFileSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data.entries;
  } catch {
    // Not JSON: handled below like a schema mismatch.
  }
  await rename(path, `${path}.corrupt-${Date.now()}`).catch(() => undefined);
  return [];
}

/** Whether the project has a `.claude-pm` folder: reports are written only where the framework lives. */
export async function hasFrameworkFolder(root: string): Promise<boolean> {
  return stat(join(root, CONFIG_DIR)).then((s) => s.isDirectory(), () => false);
}

/** Writes `health-report.json` and appends to the bounded history; both atomically. Returns the new history. */
export async function saveReport(root: string, report: HealthReport, max = MAX_HISTORY): Promise<HistoryEntry[]> {
  await writeJsonAtomic(join(root, REPORT_FILE), redactValue(report));
  const entries = appendHistory(await loadHistory(root), historyEntry(report), max);
  await writeJsonAtomic(join(root, HISTORY_FILE), { version: 1, entries });
  return entries;
}

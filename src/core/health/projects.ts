import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ComplianceCheck, ComplianceItem } from '../common/compliance';
import { countOf } from '../common/plural';
import { redact } from '../common/redact';
import { inspectGit } from './gitHealth';
import type { ProjectResult } from './reportSchema';

/** A project without a commit for this long is flagged as stale. */
export const STALE_DAYS = 30;

// Errors weigh more than warnings in the compliance percentage; info items do not count.
const SEVERITY_WEIGHT: Record<ComplianceItem['severity'], number> = { error: 3, warning: 1, info: 0 };

export function compliancePercentage(items: readonly ComplianceItem[]): number {
  let total = 0;
  let passed = 0;
  for (const item of items) {
    const weight = SEVERITY_WEIGHT[item.severity];
    total += weight;
    if (item.passed) passed += weight;
  }
  return total === 0 ? 100 : Math.round((passed / total) * 100);
}

/** Runs every compliance check on one project; a check that throws becomes a failed item instead. */
export async function runComplianceChecks(projectRoot: string, checks: readonly ComplianceCheck[]): Promise<ComplianceItem[]> {
  const results = await Promise.all(
    checks.map((check, index) =>
      check(projectRoot).catch((error: unknown): ComplianceItem[] => [
        {
          id: `check.failed.${index}`,
          title: `Compliance check ${check.name || index + 1}`,
          passed: false,
          severity: 'warning',
          detail: `the check itself failed: ${redact((error as Error).message)}`,
          fixHint: 'See the Claude PM log for details.',
          fixCommand: 'claudePm.showLog',
        },
      ]),
    ),
  );
  return results.flat();
}

/** Checks one project: its compliance items and its git state, then grades it. */
export async function checkProject(path: string, name: string, checks: readonly ComplianceCheck[], now: Date = new Date()): Promise<ProjectResult> {
  const base = { name, path, last_check: now.toISOString() };
  const exists = await stat(path).then((s) => s.isDirectory(), () => false);
  if (!exists) {
    return { ...base, status: 'critical', issues: ['the project folder does not exist'], metrics: { compliance_percentage: 0, dirty_files: null, days_since_last_commit: null }, git: null, compliance: [] };
  }
  const [compliance, git] = await Promise.all([
    runComplianceChecks(path, checks),
    inspectGit(path, now).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
  ]);
  const gitHealth = git instanceof Error ? null : git;
  const percentage = compliancePercentage(compliance);
  const critical: string[] = [];
  const warnings: string[] = [];
  if (git instanceof Error) warnings.push(`git could not be read: ${redact(git.message)}`);
  if (gitHealth) {
    if (gitHealth.conflicts.length) critical.push(`${countOf(gitHealth.conflicts.length, 'file')} with merge conflicts`);
    if (gitHealth.detached) warnings.push('detached HEAD: commits made now belong to no branch');
    if (gitHealth.behind > 0) warnings.push(`${countOf(gitHealth.behind, 'commit')} behind ${gitHealth.tracking ?? 'upstream'}`);
    if (gitHealth.daysSinceLastCommit !== null && gitHealth.daysSinceLastCommit > STALE_DAYS) warnings.push(`no commit for ${gitHealth.daysSinceLastCommit} days`);
  }
  if (percentage < 50) critical.push(`framework compliance ${percentage}% (below 50%)`);
  else if (percentage < 80) warnings.push(`framework compliance ${percentage}% (below 80%)`);
  const info: string[] = [];
  if (gitHealth && gitHealth.ahead > 0) info.push(`${countOf(gitHealth.ahead, 'commit')} not pushed`);
  if (gitHealth && gitHealth.dirtyFiles > 0) info.push(`${countOf(gitHealth.dirtyFiles, 'uncommitted change')}`);
  if (!gitHealth && !(git instanceof Error)) info.push('not a git repository');
  return {
    ...base,
    status: critical.length ? 'critical' : warnings.length ? 'warning' : 'healthy',
    issues: [...critical, ...warnings, ...info],
    metrics: { compliance_percentage: percentage, dirty_files: gitHealth?.dirtyFiles ?? null, days_since_last_commit: gitHealth?.daysSinceLastCommit ?? null },
    git: gitHealth,
    compliance,
  };
}

/** Checks every project with at most `concurrency` at a time; names are made unique for the report's keys. */
export async function checkProjects(paths: readonly string[], checks: readonly ComplianceCheck[], options: { concurrency?: number; now?: Date } = {}): Promise<ProjectResult[]> {
  const names = uniqueNames(paths);
  return mapBounded(paths, options.concurrency ?? 4, (path, i) => checkProject(path, names[i]!, checks, options.now));
}

function uniqueNames(paths: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return paths.map((path) => {
    const name = basename(path) || path;
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    return count === 1 ? name : `${name}-${count}`;
  });
}

/** Maps with a bounded number of promises in flight, keeping the input order. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

// A sync report as people read it: one summary line, then one line per issue that changed, conflicts with their file.

import { countOf } from '../common/plural';
import type { SyncItem, SyncReport } from './githubSync';

const VERBS: Record<SyncItem['action'], [done: string, planned: string]> = {
  create: ['created', 'would create'],
  update: ['updated', 'would update'],
  push: ['pushed', 'would push'],
  conflict: ['conflict', 'conflict'],
  error: ['failed', 'would fail'],
};

export function syncSummary(report: SyncReport): string {
  const c = report.counts;
  const parts = report.dryRun
    ? [`would create ${countOf(c.create, 'ticket')}`, `update ${c.update}`, `push ${countOf(c.push, 'issue')}`]
    : [`${c.create} created`, `${c.update} updated`, `${c.push} pushed to GitHub`];
  const saved = report.notModified ? `, ${report.notModified} answered 304 from their ETags` : '';
  return `${report.repo}: ${parts.join(', ')}, ${countOf(c.conflict, 'conflict')}, ${countOf(c.error, 'error')}, ${c.unchanged} unchanged (${countOf(report.requests, 'request')}${saved}${report.waitedSeconds ? `, ${report.waitedSeconds} s waiting for rate limits` : ''})`;
}

export function syncReportText(report: SyncReport, relative: (path: string) => string): string {
  const lines = [report.dryRun ? `Dry run, nothing changed. ${syncSummary(report)}` : syncSummary(report)];
  for (const item of report.items) {
    const verb = VERBS[item.action][report.dryRun ? 1 : 0];
    lines.push(`${verb.padEnd(12)} #${String(item.number).padEnd(5)} ${(item.ticket ?? '').padEnd(9)} ${item.title}: ${item.details.join('; ')}`);
    if (item.action === 'conflict' && item.path) lines.push(`${' '.repeat(13)}${relative(item.path)}${item.url ? `  ${item.url}` : ''}`);
  }
  if (report.counts.conflict) {
    lines.push(
      'Conflicts are left as they are on both sides. Make the ticket and the issue agree and sync again, or settle them all with --prefer github (the tickets take the issues) or --prefer local (the issues take the tickets).',
    );
  }
  return lines.join('\n');
}

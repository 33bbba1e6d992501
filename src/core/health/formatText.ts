import type { DiagnosticsReport, DiagnosticStep } from './diagnostics';
import { countOf } from '../common/plural';
import type { RepeatedAlert } from './alertLog';
import type { HealthReport, HistoryEntry, MonitorReport } from './reportSchema';

// Plain-text renderings for the terminal and CI logs; the JSON forms carry the same data.

const MARK: Record<string, string> = { healthy: 'ok', degraded: '~', down: 'x', error: 'x', warning: '!', critical: 'x', pass: 'ok', warn: '!', fail: 'x', skip: '-' };

export function formatHealthText(report: HealthReport): string {
  const s = report.summary;
  const lines = [
    `Health ${s.overall_health_percentage}% (${s.status}): projects ${s.project_health_percentage}%, services ${s.service_health_percentage}%, compliance ${s.framework_compliance}%`,
    '',
    'Services:',
    ...Object.values(report.services).map((v) => `  [${MARK[v.status]}] ${v.name}${v.critical ? ' (critical)' : ''}: ${v.status}${v.response_time !== null ? ` in ${v.response_time} ms` : ''}${v.error ? `: ${v.error}` : ''}`),
    '',
    'Projects:',
  ];
  for (const p of Object.values(report.projects)) {
    const git = p.git ? ` ${p.git.detached ? 'detached HEAD' : (p.git.branch ?? '?')}${p.git.tracking ? ` ↑${p.git.ahead} ↓${p.git.behind}` : ''}, ${p.git.dirtyFiles} changed` : '';
    lines.push(`  [${MARK[p.status] ?? '?'}] ${p.name}: ${p.status}, compliance ${p.metrics.compliance_percentage}%${git}`);
    for (const issue of p.issues) lines.push(`      - ${issue}`);
    for (const item of p.compliance.filter((i) => !i.passed)) lines.push(`      * ${item.title}: ${item.detail}`);
  }
  const counts = Object.entries(report.counts ?? {});
  if (counts.length) lines.push('', 'Counts:', ...counts.map(([area, values]) => `  ${area}: ${Object.entries(values).map(([k, v]) => `${k} ${v}`).join(', ')}`));
  if (report.alerts.length) lines.push('', 'Alerts:', ...report.alerts.map((a) => `  ${a.level.toUpperCase()}: ${a.message}`));
  if (report.recommendations.length) lines.push('', 'Recommendations:', ...report.recommendations.map((r) => `  - ${r}`));
  return `${lines.join('\n')}\n`;
}

export function formatDiagnosticsText(report: DiagnosticsReport): string {
  const step = (s: DiagnosticStep) => [`  [${MARK[s.status]}] ${s.title}: ${s.detail}`, ...(s.cause ? [`        cause: ${s.cause}`] : []), ...(s.fix ? [`        fix:   ${s.fix}`] : [])];
  return `${[
    `Memory (${report.memory.backend}${report.memory.backend === 'embedded' ? '' : `, ${report.memory.url}`}):`,
    ...report.memory.steps.flatMap(step),
    '',
    `Agents (runner: ${report.agents.runner}):`,
    ...report.agents.steps.flatMap(step),
    '',
    report.ok ? 'No problems found.' : 'Problems found: see the causes and fixes above.',
  ].join('\n')}\n`;
}

export function formatMonitorText(report: MonitorReport): string {
  const s = report.summary;
  return `${[
    ...report.samples.map((x) => `${x.timestamp}  ${String(x.overall_health_percentage).padStart(3)}%  ${x.status}${x.alerts ? `  (${x.alerts} alert(s))` : ''}`),
    `${s.samples} sample(s) over ${report.duration_seconds} s: min ${s.min}%, max ${s.max}%, average ${s.average}%, worst ${s.worst_status}`,
  ].join('\n')}\n`;
}

/** `2026-11-29 20:30:12 UTC` from an ISO time; anything unreadable as it was written. */
export function formatUtc(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function formatAlertsText(alerts: readonly RepeatedAlert[], since: Date, raised: number): string {
  if (alerts.length === 0) return `No alerts since ${formatUtc(since.toISOString())}.\n`;
  const lines = [`${countOf(raised, 'alert')} since ${formatUtc(since.toISOString())}:`];
  for (const a of alerts) {
    const when = a.count === 1 ? `raised at ${formatUtc(a.first)}` : `raised by ${countOf(a.count, 'check')} from ${formatUtc(a.first)} to ${formatUtc(a.last)}`;
    lines.push(`  ${a.level.toUpperCase().padEnd(8)} ${a.message}`, `           ${when}`);
  }
  return `${lines.join('\n')}\n`;
}

export function formatReportsText(reports: readonly HistoryEntry[], total: number, latestReport: string | undefined): string {
  if (total === 0) return 'No health checks recorded yet: run claude-pm health, or claude-pm monitor to keep checking.\n';
  const lines = [
    ...(latestReport ? [`Latest full report: ${latestReport}`] : []),
    reports.length === total ? `${countOf(total, 'check')}, newest first:` : `The newest ${reports.length} of ${countOf(total, 'check')}:`,
    ...reports.map(
      (r) =>
        `  ${formatUtc(r.timestamp)}  ${`${r.score}%`.padStart(4)} ${r.status.padEnd(8)}  projects ${r.projects}%, services ${r.services}%, compliance ${r.compliance}%${r.alerts === undefined ? '' : `, ${countOf(r.alerts, 'alert')}`}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

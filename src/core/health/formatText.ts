import type { DiagnosticsReport, DiagnosticStep } from './diagnostics';
import type { HealthReport, MonitorReport } from './reportSchema';

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

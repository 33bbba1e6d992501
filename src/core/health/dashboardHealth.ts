import { DASHBOARD_COMMANDS, type DashboardCommand, type DashboardSnapshot } from '../../shared/protocol';
import type { HealthReport, HistoryEntry } from './reportSchema';

type DashboardHealth = NonNullable<DashboardSnapshot['health']>;

/** The dashboard's view of a report: only what the cards and the chart show. */
export function toDashboardHealth(report: HealthReport): DashboardHealth {
  return {
    score: report.summary.overall_health_percentage,
    status: report.summary.status,
    checkedAt: report.timestamp,
    durationMs: report.summary.duration_ms,
    servicePercentage: report.summary.service_health_percentage,
    projectPercentage: report.summary.project_health_percentage,
    compliancePercentage: report.framework.compliance_percentage,
    services: Object.values(report.services).map((s) => ({ name: s.name, status: s.status, responseTimeMs: s.response_time, critical: s.critical, performance: s.performance, error: s.error })),
    projects: Object.values(report.projects).map((p) => ({
      name: p.name,
      status: p.status,
      branch: p.git?.branch ?? null,
      detached: p.git?.detached ?? false,
      dirtyFiles: p.git?.dirtyFiles ?? null,
      ahead: p.git?.ahead ?? 0,
      behind: p.git?.behind ?? 0,
      compliancePercentage: p.metrics.compliance_percentage,
    })),
    alerts: report.alerts.map((a) => ({ level: a.level, message: a.message })),
    recommendations: report.recommendations.map((text) => ({ text, ...actionFor(text, report) })),
  };
}

// The buttons recommendations get: the fix command of the compliance item they came from, or the configuration
// for a service. Only commands the dashboard may run.
const ACTION_TITLES = new Map<string, string>([
  ['claudePm.templates.deploy', 'Deploy CLAUDE.md'],
  ['claudePm.health.initLayout', 'Create Folders'],
  ['claudePm.health.openConfig', 'Open Configuration'],
  ['claudePm.openSettings', 'Open Settings'],
  ['claudePm.agents.refresh', 'Reload Agents'],
]);

function actionFor(text: string, report: HealthReport): { action?: { command: DashboardCommand; title: string } } {
  let command: string | undefined;
  for (const p of Object.values(report.projects)) {
    const item = p.compliance.find((c) => !c.passed && c.fixCommand && text === `${p.name}: ${c.fixHint}`);
    if (item) command = item.fixCommand;
  }
  if (!command && Object.values(report.services).some((s) => text.startsWith(`Start ${s.name} `) || text.startsWith(`Check ${s.name}:`))) command = 'claudePm.health.openConfig';
  const title = command && (DASHBOARD_COMMANDS as readonly string[]).includes(command) ? ACTION_TITLES.get(command) : undefined;
  return title ? { action: { command: command as DashboardCommand, title } } : {};
}

/** History points for the chart; the newest `max` only, so a message stays small. */
export function toDashboardHistory(entries: readonly HistoryEntry[], max = 500): DashboardSnapshot['history'] {
  return entries.slice(-max).map((e) => ({ timestamp: e.timestamp, score: e.score, services: e.services, projects: e.projects, compliance: e.compliance }));
}

import { countOf } from '../common/plural';
import type { AlertLevel, HealthAlert, OverallStatus, ProjectResult, ServiceResult } from './reportSchema';

// The seed's weights: 40% project health, 35% service health, 25% framework compliance.
export const WEIGHTS = { projects: 0.4, services: 0.35, compliance: 0.25 } as const;

// A degraded service or a project with warnings still works: it counts half.
const SERVICE_CREDIT: Record<ServiceResult['status'], number> = { healthy: 1, degraded: 0.5, down: 0, error: 0 };
const PROJECT_CREDIT: Record<ProjectResult['status'], number> = { healthy: 1, warning: 0.5, critical: 0 };

export function serviceHealthPercentage(services: readonly ServiceResult[]): number {
  return percentOf(services.map((s) => SERVICE_CREDIT[s.status]));
}

export function projectHealthPercentage(projects: readonly ProjectResult[]): number {
  return percentOf(projects.map((p) => PROJECT_CREDIT[p.status]));
}

/** Nothing to check counts as fully healthy, so an empty category does not drag the score down. */
function percentOf(credits: readonly number[]): number {
  if (credits.length === 0) return 100;
  return Math.round((credits.reduce((a, b) => a + b, 0) / credits.length) * 100);
}

export function overallScore(projectPct: number, servicePct: number, compliancePct: number): number {
  return Math.round(projectPct * WEIGHTS.projects + servicePct * WEIGHTS.services + compliancePct * WEIGHTS.compliance);
}

export function overallStatus(score: number): OverallStatus {
  if (score >= 90) return 'healthy';
  if (score >= 70) return 'degraded';
  return 'critical';
}

export interface AlertInputs {
  score: number;
  threshold: number;
  compliance: number;
  services: readonly ServiceResult[];
  projects: readonly ProjectResult[];
  timestamp: string;
}

/** The real monitor's alert rules (formats.md §4a), with the threshold configurable. */
export function buildAlerts(input: AlertInputs): HealthAlert[] {
  const alerts: HealthAlert[] = [];
  const add = (level: AlertLevel, message: string, data: Record<string, unknown> = {}) => alerts.push({ timestamp: input.timestamp, level, message, data });
  if (input.score < input.threshold) add('critical', `Overall health ${input.score}% is below the alert threshold of ${input.threshold}%`, { score: input.score, threshold: input.threshold });
  for (const s of input.services) {
    if (s.status !== 'down' && s.status !== 'error') continue;
    add(s.critical ? 'critical' : 'warning', `${s.critical ? 'Critical service' : 'Service'} ${s.name} is ${s.status}${s.error ? `: ${s.error}` : ''}`, { service: s.name, url: s.url, status: s.status });
  }
  for (const p of input.projects) if (p.status === 'critical') add('critical', `Project ${p.name} is critical: ${p.issues[0] ?? 'see details'}`, { project: p.name, path: p.path });
  if (input.compliance < 50) add('critical', `Framework compliance ${input.compliance}% is below 50%`, { compliance: input.compliance });
  else if (input.compliance < 80) add('warning', `Framework compliance ${input.compliance}% is below 80%`, { compliance: input.compliance });
  return alerts.sort((a, b) => LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level]);
}

const LEVEL_ORDER: Record<AlertLevel, number> = { critical: 0, warning: 1, info: 2 };

/** Concrete next steps, most important first, without duplicates. */
export function buildRecommendations(services: readonly ServiceResult[], projects: readonly ProjectResult[]): string[] {
  const out = new Set<string>();
  for (const s of services) {
    if (s.status === 'down') out.add(`Start ${s.name} (${s.url}) or remove it from health.services in .claude-pm/config.json`);
    else if (s.status === 'error') out.add(`Check ${s.name}: ${s.error ?? 'it answered with an error'}`);
    else if (s.status === 'degraded') out.add(`${s.name} answers slowly (${s.response_time} ms): check its load`);
  }
  for (const p of projects) {
    for (const item of p.compliance) if (!item.passed && item.fixHint) out.add(`${p.name}: ${item.fixHint}`);
    if (p.git?.conflicts.length) out.add(`${p.name}: resolve the merge conflicts in ${p.git.conflicts.slice(0, 3).join(', ')}`);
    if (p.git?.detached) out.add(`${p.name}: check out a branch (HEAD is detached)`);
    if (p.git && p.git.behind > 0) out.add(`${p.name}: pull the ${countOf(p.git.behind, 'commit')} from ${p.git.tracking ?? 'upstream'}`);
  }
  return [...out];
}

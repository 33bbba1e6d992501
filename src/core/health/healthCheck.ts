import { resolve } from 'node:path';
import type { ComplianceCheck, ComplianceItem } from '../common/compliance';
import type { ResolvedConfig } from '../config/loadConfig';
import { layoutCompliance } from './layoutCompliance';
import { checkProjects, compliancePercentage } from './projects';
import type { HealthReport } from './reportSchema';
import { buildAlerts, buildRecommendations, overallScore, overallStatus, projectHealthPercentage, serviceHealthPercentage } from './score';
import { isFrameworkTree, probeServices, resolveServices, type ServiceDefinition } from './services';

export const REPORT_VERSION = '3.0.0-vscode';

export interface HealthCheckOptions {
  services: readonly ServiceDefinition[];
  /** Absolute project folders; duplicates are checked once. */
  projects: readonly string[];
  /** Compliance checks contributed by other features; the `.claude-pm` layout check always runs first. */
  checks?: readonly ComplianceCheck[];
  alertThreshold: number;
  verifyTls?: boolean;
  /** How many projects are checked at once. */
  concurrency?: number;
  counts?: Record<string, Record<string, number>>;
  now?: () => Date;
}

/** Options for a check of `config.workspaceRoot` plus its configured projects and any `extraProjects`. */
export async function optionsFromConfig(config: ResolvedConfig, extraProjects: readonly string[] = [], checks: readonly ComplianceCheck[] = []): Promise<HealthCheckOptions> {
  return {
    services: resolveServices({
      user: config.health.services,
      disableDefaults: config.health.disableDefaultServices,
      memory: config.memory,
      frameworkTree: await isFrameworkTree(config.workspaceRoot),
    }),
    projects: [config.workspaceRoot, ...extraProjects, ...config.health.projects.map((p) => resolve(config.workspaceRoot, p))],
    checks,
    alertThreshold: config.health.alertThreshold,
    verifyTls: config.memory.verifyTls,
  };
}

/** Probes the services and checks the projects concurrently, then scores everything into one report. */
export async function runHealthCheck(options: HealthCheckOptions): Promise<HealthReport> {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const started = performance.now();
  const paths = [...new Set(options.projects.map((p) => resolve(p)))];
  const [services, projects] = await Promise.all([
    probeServices(options.services, { verifyTls: options.verifyTls }),
    checkProjects(paths, [layoutCompliance, ...(options.checks ?? [])], { concurrency: options.concurrency, now: startedAt }),
  ]);
  const items: ComplianceItem[] = projects.flatMap((p) => p.compliance);
  const compliance = compliancePercentage(items);
  const projectPct = projectHealthPercentage(projects);
  const servicePct = serviceHealthPercentage(services);
  const score = overallScore(projectPct, servicePct, compliance);
  const timestamp = startedAt.toISOString();
  return {
    timestamp,
    version: REPORT_VERSION,
    config: { alert_threshold: options.alertThreshold, services: services.map((s) => s.name), projects: paths },
    summary: {
      total_projects: projects.length,
      healthy_projects: projects.filter((p) => p.status === 'healthy').length,
      warning_projects: projects.filter((p) => p.status === 'warning').length,
      critical_projects: projects.filter((p) => p.status === 'critical').length,
      framework_compliance: compliance,
      overall_health_percentage: score,
      project_health_percentage: projectPct,
      service_health_percentage: servicePct,
      status: overallStatus(score),
      duration_ms: Math.round(performance.now() - started),
    },
    services: Object.fromEntries(services.map((s) => [s.name, s])),
    projects: Object.fromEntries(projects.map((p) => [p.name, p])),
    framework: {
      compliance_percentage: compliance,
      total_checks: items.length,
      passed_checks: items.filter((i) => i.passed).length,
      file_checks: items.filter((i) => !i.id.startsWith('layout.folder') && !i.id.startsWith('layout.subfolders')).length,
      directory_checks: items.filter((i) => i.id.startsWith('layout.folder') || i.id.startsWith('layout.subfolders')).length,
      managed_projects: projects.length,
      trackdown: items.some((i) => /tracker|trackdown/i.test(i.id) && i.passed),
    },
    recommendations: buildRecommendations(services, projects),
    alerts: buildAlerts({ score, threshold: options.alertThreshold, compliance, services, projects, timestamp }),
    ...(options.counts && Object.keys(options.counts).length ? { counts: options.counts } : {}),
  };
}

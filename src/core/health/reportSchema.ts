import { z } from 'zod';
import type { ComplianceItem } from '../common/compliance';

// `.claude-pm/logs/health-report.json`: a superset of the real monitor's `logs/health-report.json`
// (formats.md §4a). Times are ISO strings, response times milliseconds. Unknown keys are kept on read.

export const serviceStatusSchema = z.enum(['healthy', 'degraded', 'down', 'error']);
export const performanceBandSchema = z.enum(['excellent', 'good', 'acceptable', 'slow']);

export const serviceResultSchema = z
  .object({
    name: z.string(),
    url: z.string(),
    critical: z.boolean(),
    status: serviceStatusSchema,
    timestamp: z.string(),
    error: z.string().nullable(),
    response_time: z.number().nullable(),
    http_status: z.number().int().nullable(),
    performance: performanceBandSchema.nullable(),
  })
  .passthrough();

export const gitHealthSchema = z.object({
  branch: z.string().nullable(),
  detached: z.boolean(),
  tracking: z.string().nullable(),
  ahead: z.number().int(),
  behind: z.number().int(),
  dirtyFiles: z.number().int(),
  conflicts: z.array(z.string()),
  lastCommit: z.string().nullable(),
  daysSinceLastCommit: z.number().int().nullable(),
});

export const complianceItemSchema: z.ZodType<ComplianceItem> = z.object({
  id: z.string(),
  title: z.string(),
  passed: z.boolean(),
  severity: z.enum(['error', 'warning', 'info']),
  detail: z.string(),
  fixHint: z.string().optional(),
  fixCommand: z.string().optional(),
});

export const projectResultSchema = z
  .object({
    name: z.string(),
    path: z.string(),
    status: z.enum(['healthy', 'warning', 'critical']),
    issues: z.array(z.string()),
    metrics: z.object({ compliance_percentage: z.number(), dirty_files: z.number().nullable(), days_since_last_commit: z.number().nullable() }).passthrough(),
    last_check: z.string(),
    git: gitHealthSchema.nullable(),
    compliance: z.array(complianceItemSchema),
  })
  .passthrough();

export const alertSchema = z.object({
  timestamp: z.string(),
  level: z.enum(['critical', 'warning', 'info']),
  message: z.string(),
  data: z.record(z.string(), z.unknown()),
});

export const overallStatusSchema = z.enum(['healthy', 'degraded', 'critical']);

export const healthReportSchema = z
  .object({
    timestamp: z.string(),
    version: z.string(),
    config: z.object({ alert_threshold: z.number(), services: z.array(z.string()), projects: z.array(z.string()) }).passthrough(),
    summary: z
      .object({
        total_projects: z.number().int(),
        healthy_projects: z.number().int(),
        warning_projects: z.number().int(),
        critical_projects: z.number().int(),
        framework_compliance: z.number(),
        overall_health_percentage: z.number(),
        project_health_percentage: z.number(),
        service_health_percentage: z.number(),
        status: overallStatusSchema,
        duration_ms: z.number(),
      })
      .passthrough(),
    services: z.record(z.string(), serviceResultSchema),
    projects: z.record(z.string(), projectResultSchema),
    framework: z
      .object({
        compliance_percentage: z.number(),
        total_checks: z.number().int(),
        passed_checks: z.number().int(),
        file_checks: z.number().int(),
        directory_checks: z.number().int(),
        managed_projects: z.number().int(),
        trackdown: z.boolean(),
      })
      .passthrough(),
    recommendations: z.array(z.string()),
    alerts: z.array(alertSchema),
    /** Live counts from the other features (tickets by status, runs, memory by category), when present. */
    counts: z.record(z.string(), z.record(z.string(), z.number())).optional(),
  })
  .passthrough();

export const historyEntrySchema = z.object({
  timestamp: z.string(),
  score: z.number(),
  status: overallStatusSchema,
  services: z.number(),
  projects: z.number(),
  compliance: z.number(),
  /** How many alerts the check raised (absent in entries written before alerts were kept). */
  alerts: z.number().int().optional(),
});

/** The shape of the bounded logs next to the report: the history of checks and the alerts they raised. */
export const entriesFileSchema = <T extends z.ZodType>(entry: T) => z.object({ version: z.literal(1), entries: z.array(entry) }).passthrough();

export type ServiceResult = z.infer<typeof serviceResultSchema>;
export type ServiceStatus = z.infer<typeof serviceStatusSchema>;
export type PerformanceBand = z.infer<typeof performanceBandSchema>;
export type GitHealth = z.infer<typeof gitHealthSchema>;
export type ProjectResult = z.infer<typeof projectResultSchema>;
export type ProjectStatus = ProjectResult['status'];
export type HealthAlert = z.infer<typeof alertSchema>;
export type AlertLevel = HealthAlert['level'];
export type OverallStatus = z.infer<typeof overallStatusSchema>;
export type HealthReport = z.infer<typeof healthReportSchema>;
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

// `claude-pm monitor --output FILE`: one sample per interval and a summary.
export const monitorSampleSchema = z.object({
  timestamp: z.string(),
  overall_health_percentage: z.number(),
  status: overallStatusSchema,
  service_health_percentage: z.number(),
  project_health_percentage: z.number(),
  framework_compliance: z.number(),
  services: z.record(z.string(), serviceStatusSchema),
  alerts: z.number().int(),
  duration_ms: z.number(),
});

export const monitorReportSchema = z.object({
  started_at: z.string(),
  finished_at: z.string(),
  duration_seconds: z.number(),
  interval_seconds: z.number(),
  samples: z.array(monitorSampleSchema),
  summary: z.object({
    samples: z.number().int(),
    min: z.number(),
    max: z.number(),
    average: z.number(),
    worst_status: overallStatusSchema,
    alerts_total: z.number().int(),
  }),
});

export type MonitorSample = z.infer<typeof monitorSampleSchema>;
export type MonitorReport = z.infer<typeof monitorReportSchema>;

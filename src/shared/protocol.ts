import { z } from 'zod';
import { alertSchema, overallStatusSchema, projectResultSchema, serviceStatusSchema } from '../core/health/reportSchema';
import { RUN_STATUSES, STEP_STATUSES } from '../core/orchestration/runRecord';
import type { RunSummary } from '../core/orchestration/runSource';

// The typed message protocol between the extension host and the dashboard webview.
// Both sides validate what they receive; anything that does not parse is dropped and logged.

export const DASHBOARD_COMMANDS = [
  'claudePm.health.refresh',
  'claudePm.agents.delegate',
  'claudePm.workflows.run',
  'claudePm.memory.search',
  'claudePm.tickets.create',
  'claudePm.templates.deploy',
  'claudePm.showLog',
  'claudePm.health.openConfig',
  'claudePm.health.initLayout',
  'claudePm.openSettings',
  'claudePm.agents.refresh',
] as const;
export type DashboardCommand = (typeof DASHBOARD_COMMANDS)[number];


export const dashboardServiceSchema = z.object({
  name: z.string(),
  status: serviceStatusSchema,
  responseTimeMs: z.number().nullable(),
  critical: z.boolean(),
  performance: z.string().nullable().optional(),
  error: z.string().nullable().optional(),
});

export const dashboardProjectSchema = z.object({
  name: z.string(),
  status: projectResultSchema.shape.status,
  branch: z.string().nullable(),
  detached: z.boolean(),
  dirtyFiles: z.number().nullable(),
  ahead: z.number(),
  behind: z.number(),
  compliancePercentage: z.number(),
});

export const historyPointSchema = z.object({
  timestamp: z.string(),
  score: z.number(),
  services: z.number().optional(),
  projects: z.number().optional(),
  compliance: z.number().optional(),
});

export const dashboardSnapshotSchema = z.object({
  generatedAt: z.string(),
  version: z.string(),
  health: z
    .object({
      score: z.number(),
      status: overallStatusSchema,
      checkedAt: z.string().optional(),
      durationMs: z.number().optional(),
      servicePercentage: z.number().optional(),
      projectPercentage: z.number().optional(),
      services: z.array(dashboardServiceSchema),
      projects: z.array(dashboardProjectSchema).optional(),
      compliancePercentage: z.number(),
      alerts: z.array(z.object({ level: alertSchema.shape.level, message: z.string() })),
      /** What to do next; `action` is the command that does it, when there is one. */
      recommendations: z.array(z.object({ text: z.string(), action: z.object({ command: z.enum(DASHBOARD_COMMANDS), title: z.string() }).optional() })),
    })
    .nullable(),
  history: z.array(historyPointSchema),
  /** Live counts by area: `runs` {active, completed, failed}, `tickets` by status, `memory` by category, `agents`. */
  counts: z.record(z.string(), z.record(z.string(), z.number())),
  memoryBackend: z.object({ kind: z.string(), state: z.string(), queuedWrites: z.number() }).nullable(),
  system: z.object({
    processRssMb: z.number(),
    processCpuPercent: z.number(),
    systemMemoryUsedPercent: z.number(),
    systemLoad1: z.number(),
    cpuCount: z.number(),
  }),
});
export type DashboardSnapshot = z.infer<typeof dashboardSnapshotSchema>;

const daySchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** A step of the workflow graph. */
export const dashboardStepSchema = z.object({
  name: z.string(),
  agentType: z.string(),
  status: z.enum(STEP_STATUSES),
  dependsOn: z.array(z.string()),
  attempts: z.number().int().min(0),
  durationMs: z.number().min(0).optional(),
  costUsd: z.number().optional(),
});

export const runSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  kind: z.enum(['workflow', 'delegated']),
  status: z.enum(RUN_STATUSES),
  startedAt: z.string(),
  endedAt: z.string().optional(),
  durationMs: z.number().min(0).optional(),
  costUsd: z.number().optional(),
  costEstimated: z.boolean().optional(),
  user: z.string().optional(),
}) satisfies z.ZodType<RunSummary>;

/** Runs, the workflow graph and cost per day: sent on their own, as often as runs change. */
export const dashboardRunsSchema = z.object({
  /** The running (else the newest) workflow run, drawn as its graph. */
  graph: z.object({ runId: z.string(), workflow: z.string(), status: z.enum(RUN_STATUSES), startedAt: z.string(), steps: z.array(dashboardStepSchema) }).nullable(),
  recent: z.array(runSummarySchema),
  /** The host's today (UTC) and cost per day and agent type since `costsSince`. */
  today: daySchema,
  costsSince: daySchema,
  costs: z.array(z.object({ day: daySchema, agentType: z.string(), costUsd: z.number().min(0) })),
});
export type DashboardRuns = z.infer<typeof dashboardRunsSchema>;

/** Run ids and step names come back from the page: bounded, and only ever looked up, never run. */
const revealRunSchema = z.object({ type: z.literal('revealRun'), runId: z.string().min(1).max(200), step: z.string().min(1).max(1000).optional() });

export const webviewToHostSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('runCommand'), command: z.enum(DASHBOARD_COMMANDS) }),
  revealRunSchema,
]);
export type WebviewToHost = z.infer<typeof webviewToHostSchema>;

export const hostToWebviewSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('snapshot'), snapshot: dashboardSnapshotSchema }),
  z.object({ type: z.literal('runs'), runs: dashboardRunsSchema }),
  z.object({ type: z.literal('error'), message: z.string() }),
]);
export type HostToWebview = z.infer<typeof hostToWebviewSchema>;

import { z } from 'zod';
import { USAGE_FIELDS } from '../agents/usage';

// `.claude-pm/runs/<run-id>.json`: one workflow run, rewritten atomically as it progresses.

// `completed_with_failures`: every step ran, but some failed under `on_error: continue`.
export const RUN_STATUSES = ['running', 'succeeded', 'completed_with_failures', 'failed', 'cancelled', 'timed_out', 'interrupted'] as const;
export type RunState = (typeof RUN_STATUSES)[number];

export const STEP_STATUSES = ['pending', 'waiting', 'running', 'retrying', 'succeeded', 'failed', 'timed_out', 'cancelled', 'skipped', 'interrupted'] as const;
export type StepState = (typeof STEP_STATUSES)[number];

const usageSchema = z.object(Object.fromEntries(USAGE_FIELDS.map((f) => [f, z.number().min(0)])) as Record<(typeof USAGE_FIELDS)[number], z.ZodNumber>);

/** What a step or a run used: tokens, cost, tool calls and sub-agents (kept for failed and cancelled runs too). */
const spendFields = {
  costUsd: z.number().optional(),
  /** Part of the cost is a list-price estimate for an agent stopped before it reported its cost. */
  costEstimated: z.boolean().optional(),
  usage: usageSchema.optional(),
  toolCalls: z.number().int().min(0).optional(),
  subagents: z.number().int().min(0).optional(),
};

/** Where an isolated step left its changes, and what the user did with them since. */
export const stepIsolationSchema = z
  .object({
    branch: z.string(),
    /** The commit the step's worktree started from. */
    base: z.string(),
    diffStat: z.object({ files: z.number().int().min(0), insertions: z.number().int().min(0), deletions: z.number().int().min(0) }),
    /** Set once the branch was merged into the user's branch or deleted. */
    resolution: z.object({ action: z.enum(['applied', 'discarded']), at: z.string() }).optional(),
  })
  .loose();

/** A follow-up message sent to a finished run's (or workflow step's) session (`claude --resume`); its spend is added to that step. */
export const continuationSchema = z
  .object({
    message: z.string(),
    status: z.enum(STEP_STATUSES),
    startedAt: z.string(),
    endedAt: z.string().optional(),
    durationMs: z.number().optional(),
    /** The session it resumed. */
    resumed: z.string(),
    sessionId: z.string().optional(),
    outputTail: z.string().optional(),
    error: z.string().optional(),
    ...spendFields,
    model: z.string().optional(),
  })
  .loose();

export const stepRecordSchema = z
  .object({
    name: z.string(),
    agentType: z.string(),
    command: z.string().optional(),
    task: z.string(),
    dependsOn: z.array(z.string()),
    status: z.enum(STEP_STATUSES),
    attempts: z.number().int().min(0),
    /** The agent type that actually ran it, when a backup took over. */
    ranAs: z.string().optional(),
    startedAt: z.string().optional(),
    endedAt: z.string().optional(),
    durationMs: z.number().optional(),
    outputTail: z.string().optional(),
    error: z.string().optional(),
    ...spendFields,
    model: z.string().optional(),
    sessionId: z.string().optional(),
    /** What the agent was told from memory, so the user sees it. */
    memories: z.array(z.object({ id: z.string(), category: z.string() })).optional(),
    /** Set when the step ran in an isolated worktree (`isolation: worktree`). */
    isolation: stepIsolationSchema.optional(),
    /** Follow-ups sent to a workflow step's session (a delegated run keeps its own on the run). */
    continuations: z.array(continuationSchema).optional(),
  })
  .loose();

export const alertSchema = z.object({ kind: z.enum(['run_timeout', 'error_rate', 'circuit_open', 'over_budget']), message: z.string(), at: z.string() }).loose();

/** What started a run from outside: a webhook delivery. */
export const runTriggerSchema = z
  .object({
    source: z.string(),
    event: z.string(),
    action: z.string().optional(),
    deliveryId: z.string(),
    receivedAt: z.string(),
    /** The payload as a JSON file inside `.claude-pm/`, kept while a run of it has failed (for redelivery). */
    payloadFile: z.string().optional(),
  })
  .loose();

const blobRefSchema = z.object({ oid: z.string(), mode: z.string() });

/** The working tree before and after the run as private git commits, and the files between them. */
export const checkpointSchema = z
  .object({
    before: z.string().optional(),
    after: z.string().optional(),
    files: z.array(z.object({ path: z.string(), change: z.enum(['added', 'modified', 'deleted']), before: blobRefSchema.optional(), after: blobRefSchema.optional() })).optional(),
    filesTotal: z.number().int().min(0).optional(),
    unavailable: z.string().optional(),
  });

export const runRecordSchema = z
  .object({
    version: z.literal(1),
    id: z.string(),
    workflow: z.string(),
    file: z.string().optional(),
    /** Conditional workflows that led here, e.g. [{workflow: 'pipeline', selected: 'deploy'}]. */
    selectedVia: z.array(z.object({ workflow: z.string(), selected: z.string() })).optional(),
    trigger: runTriggerSchema.optional(),
    status: z.enum(RUN_STATUSES),
    startedAt: z.string(),
    endedAt: z.string().optional(),
    durationMs: z.number().optional(),
    /** The process that owns a running run, to spot runs orphaned by a restart. */
    owner: z.object({ pid: z.number().int(), host: z.string() }),
    context: z.record(z.string(), z.unknown()),
    steps: z.array(stepRecordSchema),
    ...spendFields,
    /** The workflow's `max_budget_usd`. */
    budgetUsd: z.number().optional(),
    /** The workflow's `accept_failures`: a run that completed with failures still counts as a success. */
    failuresAccepted: z.boolean().optional(),
    alerts: z.array(alertSchema),
    error: z.string().optional(),
    checkpoint: checkpointSchema.optional(),
    continuations: z.array(continuationSchema).optional(),
  })
  .loose();

export type StepRecord = z.infer<typeof stepRecordSchema>;
export type StepIsolation = z.infer<typeof stepIsolationSchema>;
export type RunRecord = z.infer<typeof runRecordSchema>;
export type RunTrigger = z.infer<typeof runTriggerSchema>;
export type RunAlert = z.infer<typeof alertSchema>;
export type ContinuationRecord = z.infer<typeof continuationSchema>;

/** Whether a finished run counts as a success: it succeeded, or completed with failures its workflow accepts. */
export function runSucceeded(run: Pick<RunRecord, 'status' | 'failuresAccepted'>): boolean {
  return run.status === 'succeeded' || (run.status === 'completed_with_failures' && run.failuresAccepted === true);
}

/** `completed with failures`, `timed out`: a status as words. */
export function statusWords(status: string): string {
  return status.replace(/_/g, ' ');
}

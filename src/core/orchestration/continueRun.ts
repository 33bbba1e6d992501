import { agentRunRequest } from '../agents/agentPrompt';
import { settleCheckpoint } from '../agents/delegate';
import { findAgent, type AgentCatalog } from '../agents/discoverAgents';
import type { AgentRunner, RunEvent, RunResult } from '../agents/runner';
import { redact } from '../common/redact';
import { addSpend, rollUpSpend } from './runSpend';
import type { ContinuationRecord, RunRecord, StepRecord } from './runRecord';

// "Continue…": a follow-up message to a finished delegated run, or to one step of a finished workflow run, in the
// same Claude Code session (`claude -p … --resume <session>`), with the agent's settings of the first turn. The turn
// is recorded under the same run: its own entry in `continuations` (the run's for a delegated run, the step's for a
// workflow step), its spend added to the step and the run's totals.

const OUTPUT_TAIL_CHARS = 4000;

export interface ContinueOptions {
  record: RunRecord;
  message: string;
  catalog: AgentCatalog;
  runner: AgentRunner;
  cwd: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
  /** Called with the record each time it changes (started, ended), to save and show it. */
  onUpdate?: (record: RunRecord) => void | Promise<void>;
  /** The workflow step whose session is continued (a delegated run has one step and needs none). */
  step?: string;
  /** Checkpoints kept; the run's checkpoint is extended to the end of this turn. */
  checkpointsKept?: number;
}

/** What a follow-up continues: the step, the session it resumes, and the list its turns are kept in. */
export interface ResumeTarget {
  step: StepRecord;
  session: string;
  turns: ContinuationRecord[];
}

/**
 * The step and session a follow-up resumes: a delegated run's one step, or the workflow step named `stepName`; the
 * newest turn's session, else the step's own. Throws why it cannot be continued.
 */
export function resumeTarget(record: RunRecord, runnerKind: string, stepName?: string): ResumeTarget {
  if (record.status === 'running') throw new Error(`Run ${record.id} is still running.`);
  if (runnerKind !== 'claude') throw new Error('Only Claude Code runs can be continued (the runner is set to command).');
  const step = continuedStep(record, stepName);
  if (step.isolation) throw new Error(`Step ${step.name} of run ${record.id} ran in an isolated worktree; review or apply its branch instead.`);
  const turns = (record.file ? step.continuations : record.continuations) ?? [];
  const latest = [...turns].reverse().find((c) => c.sessionId)?.sessionId ?? step.sessionId;
  if (!latest) throw new Error(record.file ? `Step ${step.name} of run ${record.id} has no Claude Code session to continue.` : `Run ${record.id} has no Claude Code session to continue.`);
  return { step, session: latest, turns };
}

/** The session a follow-up resumes; throws why the run (or its step `stepName`) cannot be continued. */
export function resumableSession(record: RunRecord, runnerKind: string, stepName?: string): string {
  return resumeTarget(record, runnerKind, stepName).session;
}

function continuedStep(record: RunRecord, stepName: string | undefined): StepRecord {
  if (!record.file) return record.steps[0]!;
  const resumable = record.steps.filter((s) => s.sessionId && !s.isolation).map((s) => s.name);
  if (stepName === undefined) throw new Error(`Run ${record.id} is a workflow run: name the step to continue${resumable.length ? ` (${resumable.join(', ')})` : ''}.`);
  const step = record.steps.find((s) => s.name === stepName);
  if (!step) throw new Error(`Run ${record.id} has no step '${stepName}'${resumable.length ? `; steps with a session: ${resumable.join(', ')}` : ''}.`);
  return step;
}

/** Runs the follow-up; returns the updated record (the one passed in is updated too) and the turn's result. */
export async function continueRun(options: ContinueOptions): Promise<{ record: RunRecord; result: RunResult }> {
  const { record, runner } = options;
  const { step, session: resumed, turns } = resumeTarget(record, runner.kind, options.step);
  const agent = findAgent(options.catalog, step.ranAs ?? step.agentType);
  if (!agent) throw new Error(`The agent '${step.agentType}' of run ${record.id} no longer exists.`);
  const turn: ContinuationRecord = { message: redact(options.message), status: 'running', startedAt: new Date().toISOString(), resumed };
  turns.push(turn);
  if (record.file) step.continuations = turns;
  else record.continuations = turns;
  // A workflow run's outcome stays that of its workflow; a delegated run's is that of its latest turn.
  const workflowOutcome = record.file ? { status: record.status, error: record.error } : undefined;
  record.status = 'running';
  record.endedAt = undefined;
  await options.onUpdate?.(record);

  const request = agentRunRequest(options.catalog, agent, { task: options.message, cwd: options.cwd, timeoutMs: options.timeoutMs, signal: options.signal, onEvent: options.onEvent });
  // The session already holds the delegation; the follow-up goes in as typed.
  const result = await runner.run({ ...request, task: options.message, resumeSessionId: resumed, env: { CLAUDE_PM_RUN_ID: record.id } });

  Object.assign(turn, {
    status: result.status,
    endedAt: new Date().toISOString(),
    durationMs: result.durationMs,
    sessionId: result.sessionId,
    outputTail: result.output ? redact(result.output.slice(-OUTPUT_TAIL_CHARS)) : undefined,
    error: result.error ? redact(result.error) : undefined,
    costUsd: result.costUsd,
    costEstimated: result.costEstimated,
    usage: result.usage,
    toolCalls: result.toolCalls,
    subagents: result.subagents?.length,
    model: result.model,
  } satisfies Partial<ContinuationRecord>);
  addSpend(step, result);
  step.status = result.status;
  step.endedAt = turn.endedAt;
  if (result.output) step.outputTail = redact(result.output.slice(-OUTPUT_TAIL_CHARS));
  step.error = turn.error;
  Object.assign(record, rollUpSpend(record), { status: result.status, endedAt: turn.endedAt, error: turn.error, durationMs: (record.durationMs ?? 0) + result.durationMs }, workflowOutcome);
  if (record.checkpoint?.before && options.checkpointsKept) record.checkpoint = await settleCheckpoint(options.cwd, record.id, record.checkpoint, options.checkpointsKept);
  await options.onUpdate?.(record);
  return { record, result };
}

import { agentRunRequest } from '../agents/agentPrompt';
import { settleCheckpoint } from '../agents/delegate';
import { findAgent, type AgentCatalog } from '../agents/discoverAgents';
import type { AgentRunner, RunEvent, RunResult } from '../agents/runner';
import { redact } from '../common/redact';
import { addSpend, rollUpSpend } from './runSpend';
import type { ContinuationRecord, RunRecord } from './runRecord';

// "Continue…": a follow-up message to a finished delegated run, in the same Claude Code session
// (`claude -p … --resume <session>`), with the agent's settings of the first turn. The turn is recorded under the
// same run: its own entry in `continuations`, its spend added to the run's step and totals.

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
  /** Checkpoints kept; the run's checkpoint is extended to the end of this turn. */
  checkpointsKept?: number;
}

/** The session a follow-up resumes: the newest turn's, else the first's. Throws why a run cannot be continued. */
export function resumableSession(record: RunRecord, runnerKind: string): string {
  if (record.file) throw new Error(`Run ${record.id} is a workflow run; only delegated tasks can be continued.`);
  if (record.status === 'running') throw new Error(`Run ${record.id} is still running.`);
  if (runnerKind !== 'claude') throw new Error('Only Claude Code runs can be continued (the runner is set to command).');
  const latest = [...(record.continuations ?? [])].reverse().find((c) => c.sessionId)?.sessionId ?? record.steps[0]?.sessionId;
  if (!latest) throw new Error(`Run ${record.id} has no Claude Code session to continue.`);
  return latest;
}

/** Runs the follow-up; returns the updated record (the one passed in is updated too) and the turn's result. */
export async function continueRun(options: ContinueOptions): Promise<{ record: RunRecord; result: RunResult }> {
  const { record, runner } = options;
  const resumed = resumableSession(record, runner.kind);
  const step = record.steps[0]!;
  const agent = findAgent(options.catalog, step.ranAs ?? step.agentType);
  if (!agent) throw new Error(`The agent '${step.agentType}' of run ${record.id} no longer exists.`);
  const turn: ContinuationRecord = { message: redact(options.message), status: 'running', startedAt: new Date().toISOString(), resumed };
  (record.continuations ??= []).push(turn);
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
  Object.assign(record, rollUpSpend(record), { status: result.status, endedAt: turn.endedAt, error: turn.error, durationMs: (record.durationMs ?? 0) + result.durationMs });
  if (record.checkpoint?.before && options.checkpointsKept) record.checkpoint = await settleCheckpoint(options.cwd, record.id, record.checkpoint, options.checkpointsKept);
  await options.onUpdate?.(record);
  return { record, result };
}

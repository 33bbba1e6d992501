import { hostname } from 'node:os';
import type { DelegatedRun } from '../agents/delegate';
import { redact } from '../common/redact';
import type { RunRecord } from './runRecord';
import { addSpend, rollUpSpend } from './runSpend';

const OUTPUT_TAIL_CHARS = 4000;

const TITLE_CHARS = 60;

/** What a delegated run is called: its task's first line, clipped, since the agent already shows on its step. */
export function delegatedRunTitle(task: string): string {
  const line = task.trim().split('\n')[0]!.trim();
  return line.length > TITLE_CHARS ? `${line.slice(0, TITLE_CHARS - 1).trimEnd()}…` : line;
}

/** A delegated task as a one-step run, so run history, the Runs view and cost totals treat it like a workflow run. */
export function delegatedRunRecord(run: DelegatedRun): RunRecord {
  const result = run.result;
  const status = !result ? 'running' : result.status;
  const error = result?.error ? redact(result.error) : undefined;
  const step: RunRecord['steps'][number] = {
    name: run.agentName,
    agentType: run.agentType,
    task: redact(run.task),
    dependsOn: [],
    status,
    attempts: 1,
    startedAt: run.startedAt,
    endedAt: run.finishedAt,
    durationMs: result?.durationMs,
    outputTail: result?.output ? redact(result.output.slice(-OUTPUT_TAIL_CHARS)) : undefined,
    error,
    sessionId: result?.sessionId,
    isolation: result?.isolation && { ...result.isolation },
  };
  if (result) addSpend(step, result);
  return {
    version: 1,
    id: run.id,
    workflow: redact(delegatedRunTitle(run.task)),
    status,
    startedAt: run.startedAt,
    endedAt: run.finishedAt,
    durationMs: result?.durationMs,
    owner: { pid: process.pid, host: hostname() },
    context: run.ticketId ? { ticket: run.ticketId } : {},
    steps: [step],
    ...rollUpSpend({ steps: [step] }),
    alerts: [],
    error,
    ...(run.checkpoint ? { checkpoint: run.checkpoint } : {}),
  };
}

import { hostname } from 'node:os';
import type { DelegatedRun } from '../agents/delegate';
import { redact } from '../common/redact';
import type { RunRecord } from './runRecord';
import { addSpend, rollUpSpend } from './runSpend';

const OUTPUT_TAIL_CHARS = 4000;

/** A delegated task as a one-step run, so run history, the Runs view and cost totals treat it like a workflow run. */
export function delegatedRunRecord(run: DelegatedRun, title: string): RunRecord {
  const result = run.result;
  const status = !result ? 'running' : result.status;
  const error = result?.error ? redact(result.error) : undefined;
  const step: RunRecord['steps'][number] = {
    name: run.agentType,
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
  };
  if (result) addSpend(step, result);
  return {
    version: 1,
    id: run.id,
    workflow: title,
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
  };
}

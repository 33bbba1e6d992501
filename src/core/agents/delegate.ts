import { newRunId } from '../common/runId';
import { formatDuration } from '../common/duration';
import { redact } from '../common/redact';
import type { AgentRunner, IsolationMode, RunResult } from './runner';
import { isolatedRunner } from './worktreeIsolation';
import { agentRunRequest, type AgentTaskOptions } from './agentPrompt';
import type { AgentCatalog, AgentTier, ResolvedAgent } from './discoverAgents';
import { beginCheckpoint, finishCheckpoint, pruneCheckpoints, type RunCheckpoint } from './checkpoint';

// One delegated task, start to end: the request each runner expects (a Claude agent gets its role prompt
// and the CLAUDE.md delegation block; a command template gets the plain task) and a record of the run
// that run history can keep.

export interface DelegationOptions extends Omit<AgentTaskOptions, 'now'> {
  catalog: AgentCatalog;
  agent: ResolvedAgent;
  runner: AgentRunner;
  /** Record a checkpoint of the working tree before and after the run, keeping those of the last `keep` runs. */
  checkpoints?: { keep: number };
  /** `worktree`: the agent works in its own git worktree, on the branch `claude-pm/<run-id>/<agent-type>`. */
  isolation?: IsolationMode;
}

export interface DelegatedRun {
  id: string;
  agentType: string;
  agentName: string;
  tier: AgentTier;
  runner: string;
  task: string;
  ticketId?: string;
  cwd: string;
  startedAt: string;
  finishedAt?: string;
  result?: RunResult;
  checkpoint?: RunCheckpoint;
}

/** Starts the run; `onStart` sees the record before the first event (to show it as running). */
export async function delegateTask(options: DelegationOptions, onStart: (run: DelegatedRun) => void = () => {}): Promise<DelegatedRun> {
  const { agent } = options;
  const run: DelegatedRun = {
    id: newRunId(agent.type),
    agentType: agent.type,
    agentName: agent.name,
    tier: agent.tier,
    runner: options.runner.kind,
    task: options.task,
    ticketId: options.ticketId,
    cwd: options.cwd,
    startedAt: new Date().toISOString(),
  };
  onStart(run);
  const isolated = options.isolation === 'worktree';
  const runner = isolated ? isolatedRunner(options.runner, { runId: run.id, step: agent.type }) : options.runner;
  // An isolated run leaves the working tree alone: its branch is the record of what it changed.
  const before = options.checkpoints && !isolated ? await beginCheckpoint(options.cwd, run.id) : undefined;
  // The run id reaches the agent's tool server, so the audit trail names the run its tool calls belong to.
  const request = { ...agentRunRequest(options.catalog, agent, options), env: { CLAUDE_PM_RUN_ID: run.id } };
  // Only a Claude agent reads the delegation block; a command template wants the task as typed.
  const result = await runner.run(runner.kind === 'claude' ? request : { ...request, task: options.task });
  const checkpoint = before && (await settleCheckpoint(options.cwd, run.id, before, options.checkpoints!.keep));
  return { ...run, finishedAt: new Date().toISOString(), result, ...(checkpoint ? { checkpoint } : {}) };
}

/** Checkpoints are taken unless the project keeps none (`agents.checkpoints_kept: 0`). */
export function checkpointsOption(kept: number): { keep: number } | undefined {
  return kept > 0 ? { keep: kept } : undefined;
}

/** The checkpoint after a run (or a continuation of it), and older runs' checkpoints beyond `keep` dropped. */
export async function settleCheckpoint(cwd: string, runId: string, before: RunCheckpoint, keep: number): Promise<RunCheckpoint> {
  const checkpoint = await finishCheckpoint(cwd, runId, before);
  // Retention only tidies up: a failure to prune leaves extra refs, never a failed run.
  if (checkpoint.before) await pruneCheckpoints(cwd, keep).catch(() => undefined);
  return checkpoint;
}

/** The note a ticket gets when a run delegated for it ends: outcome, time, cost and tool calls, and why it failed. */
export function runOutcomeNote(run: DelegatedRun): string {
  const result = run.result;
  if (!result) return `Run ${run.id} (${run.agentName}) started.`;
  const parts = [`${result.status.replace(/_/g, ' ')} in ${formatDuration(result.durationMs)}`];
  if (result.costUsd !== undefined) parts.push(`$${result.costUsd.toFixed(4)}${result.costEstimated ? ' (estimated)' : ''}`);
  if (result.toolCalls) parts.push(`${result.toolCalls} tool ${result.toolCalls === 1 ? 'call' : 'calls'}`);
  const lines = [`Run ${run.id} by ${run.agentName} (${run.runner} runner): ${parts.join(' · ')}.`];
  if (result.status !== 'succeeded' && result.error) lines.push(redact(result.error));
  return lines.join('\n');
}

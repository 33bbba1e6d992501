import type { RunResult } from '../agents/runner';
import { addUsage, emptyUsage } from '../agents/usage';
import type { RunRecord, StepRecord } from './runRecord';

// What runs spend: each attempt's tokens, cost, tool calls and sub-agents added to its step, and the steps
// summed into their run.

type Spend = Pick<StepRecord, 'costUsd' | 'costEstimated' | 'usage' | 'toolCalls' | 'subagents'>;

/** Adds one attempt's spend to its step; a failed or cancelled attempt counts as much as a successful one. */
export function addSpend(step: StepRecord, result: RunResult): void {
  if (result.costUsd !== undefined) step.costUsd = (step.costUsd ?? 0) + result.costUsd;
  if (result.costEstimated) step.costEstimated = true;
  if (result.usage) step.usage = addUsage(step.usage ?? emptyUsage(), result.usage);
  if (result.toolCalls) step.toolCalls = (step.toolCalls ?? 0) + result.toolCalls;
  if (result.subagents?.length) step.subagents = (step.subagents ?? 0) + result.subagents.length;
  if (result.model) step.model = result.model;
}

/** The run's totals over its steps; fields no step reported stay undefined. */
export function rollUpSpend(run: Pick<RunRecord, 'steps'>): Spend {
  const total: Spend = {};
  for (const step of run.steps) {
    if (step.costUsd !== undefined) total.costUsd = (total.costUsd ?? 0) + step.costUsd;
    if (step.costEstimated) total.costEstimated = true;
    if (step.usage) total.usage = addUsage(total.usage ?? emptyUsage(), step.usage);
    if (step.toolCalls !== undefined) total.toolCalls = (total.toolCalls ?? 0) + step.toolCalls;
    if (step.subagents !== undefined) total.subagents = (total.subagents ?? 0) + step.subagents;
  }
  return total;
}

/** The spend fields of the JSON the CLI prints for a run or a step: always present, zero when nothing was used. */
export function spendSummary(spend: Spend) {
  return {
    usage: spend.usage ?? emptyUsage(),
    costUsd: spend.costUsd ?? null,
    costEstimated: spend.costEstimated ?? false,
    toolCalls: spend.toolCalls ?? 0,
    subagents: spend.subagents ?? 0,
  };
}

import { addUsage, emptyUsage, type TokenUsage } from '../agents/usage';
import type { RunRecord } from './runRecord';

// Cost totals over run history: per run, per agent type and per day (UTC), and the day × agent-type series
// the dashboard charts.

export interface CostTotal {
  costUsd: number;
  usage: TokenUsage;
  toolCalls: number;
  /** Agent steps that reported any spend. */
  agentRuns: number;
}

export interface CostBreakdown {
  total: CostTotal;
  byRun: ({ id: string; workflow: string; startedAt: string; status: string } & CostTotal)[];
  byAgentType: ({ agentType: string } & CostTotal)[];
  byDay: ({ day: string } & CostTotal)[];
  /** Cost per day and agent type, days in order. */
  series: { day: string; agentType: string; costUsd: number }[];
}

function emptyTotal(): CostTotal {
  return { costUsd: 0, usage: emptyUsage(), toolCalls: 0, agentRuns: 0 };
}

/** Sums the spend of every step of `runs` that started on or after `since` (ISO date or time). */
export function costBreakdown(runs: readonly RunRecord[], since?: string): CostBreakdown {
  const total = emptyTotal();
  const byRun: CostBreakdown['byRun'] = [];
  // Keyed by agent types and days from run files: Maps, never plain objects.
  const byAgentType = new Map<string, CostTotal>();
  const byDay = new Map<string, CostTotal>();
  const series = new Map<string, { day: string; agentType: string; costUsd: number }>();
  for (const run of runs) {
    if (since !== undefined && run.startedAt < since) continue;
    const runTotal = emptyTotal();
    for (const step of run.steps) {
      if (step.costUsd === undefined && step.usage === undefined && step.toolCalls === undefined) continue;
      const agentType = step.ranAs ?? step.agentType;
      const day = (step.endedAt ?? step.startedAt ?? run.startedAt).slice(0, 10);
      for (const target of [total, runTotal, entry(byAgentType, agentType), entry(byDay, day)]) add(target, step);
      const key = `${day}\u0000${agentType}`;
      const point = series.get(key) ?? { day, agentType, costUsd: 0 };
      point.costUsd += step.costUsd ?? 0;
      series.set(key, point);
    }
    if (runTotal.agentRuns) byRun.push({ id: run.id, workflow: run.workflow, startedAt: run.startedAt, status: run.status, ...runTotal });
  }
  return {
    total,
    byRun,
    byAgentType: [...byAgentType].map(([agentType, t]) => ({ agentType, ...t })).sort((a, b) => b.costUsd - a.costUsd || a.agentType.localeCompare(b.agentType)),
    byDay: [...byDay].map(([day, t]) => ({ day, ...t })).sort((a, b) => a.day.localeCompare(b.day)),
    series: [...series.values()].sort((a, b) => a.day.localeCompare(b.day) || a.agentType.localeCompare(b.agentType)),
  };
}

function entry(map: Map<string, CostTotal>, key: string): CostTotal {
  let total = map.get(key);
  if (!total) map.set(key, (total = emptyTotal()));
  return total;
}

function add(target: CostTotal, step: RunRecord['steps'][number]): void {
  target.costUsd += step.costUsd ?? 0;
  target.usage = addUsage(target.usage, step.usage);
  target.toolCalls += step.toolCalls ?? 0;
  target.agentRuns++;
}

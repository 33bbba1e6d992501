import type { RunRecord } from '../core/orchestration/runRecord';
import type { RunSource } from '../core/orchestration/runSource';
import { COST_RANGE_DAYS, dayRange } from './costChart';
import type { DashboardRuns } from './protocol';

/** How many runs the Runs card lists. */
export const RECENT_RUNS = 10;

/** The dashboard's runs message: recent runs and daily costs from `source`, and `graphRun` drawn as its graph. */
export async function runsFeed(source: RunSource, graphRun: RunRecord | undefined, now: Date): Promise<DashboardRuns> {
  const today = now.toISOString().slice(0, 10);
  const costsSince = dayRange(today, Math.max(...COST_RANGE_DAYS))[0]!;
  const [recent, costs] = await Promise.all([source.recentRuns(RECENT_RUNS), source.dailyCosts(costsSince)]);
  return {
    graph: graphRun ? graphOf(graphRun, now.getTime()) : null,
    recent,
    today,
    costsSince,
    // A source that returns more (or negative amounts from a hand-edited file) does not break the chart.
    costs: costs.filter((c) => c.day >= costsSince && c.day <= today && c.costUsd >= 0),
  };
}

function graphOf(run: RunRecord, now: number): NonNullable<DashboardRuns['graph']> {
  return {
    runId: run.id,
    workflow: run.workflow,
    status: run.status,
    startedAt: run.startedAt,
    steps: run.steps.map((step) => {
      const started = step.startedAt ? Date.parse(step.startedAt) : Number.NaN;
      const ended = step.endedAt ? Date.parse(step.endedAt) : now;
      const elapsed = step.durationMs ?? ended - started;
      return {
        name: step.name,
        agentType: step.ranAs ?? step.agentType,
        status: step.status,
        dependsOn: step.dependsOn,
        attempts: step.attempts,
        durationMs: Number.isFinite(elapsed) ? Math.max(0, elapsed) : undefined,
        costUsd: step.costUsd,
      };
    }),
  };
}

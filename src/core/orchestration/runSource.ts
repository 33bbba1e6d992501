import { costBreakdown, type CostBreakdown } from './runCosts';
import type { RunRecord, RunState } from './runRecord';

// Where the dashboard's Runs card and cost chart get their data: this workspace's run history today; a team
// database can be another source of the same shape.

/** One run as a list of recent runs shows it. */
export interface RunSummary {
  id: string;
  /** The workflow's name, or a delegated task's title. */
  title: string;
  /** `delegated`: a task given to one agent (no workflow file). */
  kind: 'workflow' | 'delegated';
  status: RunState;
  startedAt: string;
  endedAt?: string;
  /** Wall time of a finished run; a running one has none yet. */
  durationMs?: number;
  /** Undefined when no step reported a cost. */
  costUsd?: number;
  costEstimated?: boolean;
  /** Who started it, where the source knows (a team database does; the local history is all yours). */
  user?: string;
}

export type DailyAgentCost = CostBreakdown['series'][number];

export interface RunSource {
  /** The newest runs first, at most `limit`. */
  recentRuns(limit: number): Promise<RunSummary[]>;
  /** Cost per UTC day and agent type of the runs started on or after `sinceDay` (YYYY-MM-DD), days in order. */
  dailyCosts(sinceDay: string): Promise<DailyAgentCost[]>;
}

export function summarizeRun(run: RunRecord): RunSummary {
  const ended = run.endedAt ? Date.parse(run.endedAt) : Number.NaN;
  const duration = run.durationMs ?? (Number.isFinite(ended) ? ended - Date.parse(run.startedAt) : undefined);
  return {
    id: run.id,
    title: run.workflow,
    kind: run.file ? 'workflow' : 'delegated',
    status: run.status,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    durationMs: duration !== undefined && Number.isFinite(duration) ? Math.max(0, duration) : undefined,
    costUsd: run.costUsd,
    costEstimated: run.costEstimated,
  };
}

/** A source over run records already in memory (the workspace's history as the Runs view holds it). */
export function recordsRunSource(records: () => Promise<readonly RunRecord[]>): RunSource {
  return {
    async recentRuns(limit) {
      const runs = [...(await records())].sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.id.localeCompare(a.id));
      return runs.slice(0, Math.max(0, limit)).map(summarizeRun);
    },
    async dailyCosts(sinceDay) {
      return costBreakdown(await records(), sinceDay).series;
    },
  };
}

/**
 * The run a workflow graph should show: the newest workflow run still running, else the newest workflow run.
 * Delegated tasks are one step and have no graph worth drawing.
 */
export function runToGraph(runs: readonly RunRecord[]): RunRecord | undefined {
  let newest: RunRecord | undefined;
  let running: RunRecord | undefined;
  for (const run of runs) {
    if (!run.file) continue;
    if (!newest || run.startedAt > newest.startedAt) newest = run;
    if (run.status === 'running' && (!running || run.startedAt > running.startedAt)) running = run;
  }
  return running ?? newest;
}

import type pg from 'pg';
import { emptyUsage } from '../agents/usage';
import { shareChangeFeed, type SharedChangeFeed } from '../database/changeFeed';
import { createPool, describeDatabaseUrl } from '../database/connection';
import { RUN_STATUSES, type RunState } from './runRecord';
import type { CostBreakdown, CostTotal } from './runCosts';
import type { DailyAgentCost, RunSource, RunSummary } from './runSource';

// The team's runs from `claude_pm_runs`: the newest of every teammate, and spend summed by the database per agent
// type, user and day. Teammates' new runs are announced on the process's shared LISTEN connection.

/** The team's spend: the local breakdown's totals, per agent type and per day, and per teammate. */
export type TeamCosts = Omit<CostBreakdown, 'byRun'> & { byUser: ({ user: string } & CostTotal)[] };

interface RunRow {
  id: string;
  kind: 'workflow' | 'agent';
  name: string;
  status: string;
  started_at: Date;
  finished_at: Date | null;
  duration_ms: string | null;
  cost_usd: string;
  cost_estimated: boolean;
  created_by: string;
}

interface CostRow {
  agent_type: string | null;
  user_name: string | null;
  day: string | null;
  by_agent_type: boolean;
  by_user: boolean;
  by_day: boolean;
  cost_usd: string;
  input_tokens: string;
  output_tokens: string;
  cache_read_input_tokens: string;
  cache_creation_input_tokens: string;
  tool_calls: string;
  agent_runs: number;
}

// Step fields come from records teammates wrote: a value of the wrong type counts as zero, never fails the sum.
const number = (path: string) => `CASE WHEN jsonb_typeof(${path}) = 'number' THEN (${path})::text::numeric ELSE 0 END`;
const isoDay = (path: string) => `CASE WHEN ${path} ~ '^\\d{4}-\\d{2}-\\d{2}' THEN left(${path}, 10) END`;

// The same attribution as the local breakdown (runCosts.ts): a step's spend goes to the agent type that ran it,
// on the day it ended (else started, else its run started), and only steps that reported spend count.
const COSTS = `
WITH steps AS (
  SELECT r.created_by AS user_name,
         coalesce(s->>'ranAs', s->>'agentType', 'unknown') AS agent_type,
         coalesce(${isoDay("s->>'endedAt'")}, ${isoDay("s->>'startedAt'")}, to_char(r.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')) AS day,
         ${number("s->'costUsd'")} AS cost_usd,
         ${number("s->'usage'->'input_tokens'")} AS input_tokens,
         ${number("s->'usage'->'output_tokens'")} AS output_tokens,
         ${number("s->'usage'->'cache_read_input_tokens'")} AS cache_read_input_tokens,
         ${number("s->'usage'->'cache_creation_input_tokens'")} AS cache_creation_input_tokens,
         ${number("s->'toolCalls'")} AS tool_calls
  FROM claude_pm_runs r
  CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(r.record->'steps') = 'array' THEN r.record->'steps' ELSE '[]'::jsonb END) s
  WHERE r.started_at >= $1::timestamptz AND jsonb_typeof(s) = 'object' AND (s ? 'costUsd' OR s ? 'usage' OR s ? 'toolCalls')
)
SELECT agent_type, user_name, day,
       grouping(agent_type) = 0 AS by_agent_type, grouping(user_name) = 0 AS by_user, grouping(day) = 0 AS by_day,
       sum(cost_usd) AS cost_usd, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
       sum(cache_read_input_tokens) AS cache_read_input_tokens, sum(cache_creation_input_tokens) AS cache_creation_input_tokens,
       sum(tool_calls) AS tool_calls, count(*)::int AS agent_runs
FROM steps
GROUP BY GROUPING SETS ((), (agent_type), (user_name), (day), (day, agent_type))`;

function total(row: CostRow | undefined): CostTotal {
  if (!row) return { costUsd: 0, usage: emptyUsage(), toolCalls: 0, agentRuns: 0 };
  return {
    costUsd: Number(row.cost_usd),
    usage: {
      input_tokens: Number(row.input_tokens),
      output_tokens: Number(row.output_tokens),
      cache_read_input_tokens: Number(row.cache_read_input_tokens),
      cache_creation_input_tokens: Number(row.cache_creation_input_tokens),
    },
    toolCalls: Number(row.tool_calls),
    agentRuns: row.agent_runs,
  };
}

const byCost = <T extends CostTotal>(key: (t: T) => string) => (a: T, b: T) => b.costUsd - a.costUsd || key(a).localeCompare(key(b));

/** The team database's runs; reads need at least the viewer role. */
export class TeamRunSource implements RunSource {
  readonly label: string;
  private poolInstance: pg.Pool | undefined;
  private readonly feeds = new Set<SharedChangeFeed>();
  private listening: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly url: string,
    private readonly options: { onError?: (message: string) => void; /** A pool the caller owns and ends. */ pool?: pg.Pool } = {},
  ) {
    this.label = `team database ${describeDatabaseUrl(url)}`;
    this.poolInstance = options.pool;
  }

  private get pool(): pg.Pool {
    this.poolInstance ??= createPool(this.url, { max: 2, applicationName: 'claude-pm-runs', onError: this.options.onError });
    return this.poolInstance;
  }

  async recentRuns(limit: number): Promise<RunSummary[]> {
    const { rows } = await this.pool.query<RunRow>(
      'SELECT id, kind, name, status, started_at, finished_at, duration_ms, cost_usd, cost_estimated, created_by FROM claude_pm_runs ORDER BY started_at DESC, id LIMIT $1',
      [Math.max(1, Math.floor(limit))],
    );
    return rows.map((row) => ({
      id: row.id,
      title: row.name,
      kind: row.kind === 'workflow' ? 'workflow' : 'delegated',
      // A status a newer client wrote reads as interrupted rather than breaking the list.
      status: (RUN_STATUSES as readonly string[]).includes(row.status) ? (row.status as RunState) : 'interrupted',
      startedAt: row.started_at.toISOString(),
      ...(row.finished_at ? { endedAt: row.finished_at.toISOString() } : {}),
      ...(row.duration_ms !== null ? { durationMs: Number(row.duration_ms) } : {}),
      costUsd: Number(row.cost_usd),
      costEstimated: row.cost_estimated,
      user: row.created_by,
    }));
  }

  async dailyCosts(sinceDay: string): Promise<DailyAgentCost[]> {
    return (await this.costs(sinceDay)).series;
  }

  /** Spend of the runs started on or after `since` (an ISO date), summed by the database. */
  async costs(since: string): Promise<TeamCosts> {
    // A day is a UTC day, as in the local breakdown, whatever the server's time zone.
    const from = /^\d{4}-\d{2}-\d{2}$/.test(since) ? `${since}T00:00:00Z` : since;
    const { rows } = await this.pool.query<CostRow>(COSTS, [from]);
    // Each grouping set's rows, named by which of agent type, user and day they are grouped by.
    const set = (agentType: boolean, user: boolean, day: boolean) => rows.filter((r) => r.by_agent_type === agentType && r.by_user === user && r.by_day === day);
    return {
      total: total(set(false, false, false)[0]),
      byAgentType: set(true, false, false).map((r) => ({ agentType: r.agent_type!, ...total(r) })).sort(byCost((t) => t.agentType)),
      byUser: set(false, true, false).map((r) => ({ user: r.user_name!, ...total(r) })).sort(byCost((t) => t.user)),
      byDay: set(false, false, true).map((r) => ({ day: r.day!, ...total(r) })).sort((a, b) => a.day.localeCompare(b.day)),
      series: set(true, false, true).map((r) => ({ day: r.day!, agentType: r.agent_type!, costUsd: Number(r.cost_usd) })).sort((a, b) => a.day.localeCompare(b.day) || a.agentType.localeCompare(b.agentType)),
    };
  }

  /** Teammates' new runs, within a second of their commit (LISTEN/NOTIFY on the process's shared connection). */
  onDidChange(listener: () => void): () => void {
    const feed = shareChangeFeed(this.url, (change) => change.table === 'runs' && listener(), listener, { onError: this.options.onError });
    this.feeds.add(feed);
    this.listening = Promise.all([this.listening, feed.start()]);
    return () => {
      this.feeds.delete(feed);
      void feed.dispose();
    };
  }

  /** Resolves once the change feed listens (a dropped connection is retried in the background). */
  async whenListening(): Promise<void> {
    await this.listening;
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.feeds].map((f) => f.dispose()));
    this.feeds.clear();
    if (this.poolInstance !== this.options.pool) await this.poolInstance?.end().catch(() => undefined);
  }
}

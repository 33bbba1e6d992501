import { basename, join } from 'node:path';
import type pg from 'pg';
import { z } from 'zod';
import type { Logger } from '../common/logger';
import { silentLogger } from '../common/logger';
import { redactValue } from '../common/redact';
import { createPool, describeDatabaseError, isUnreachable } from '../database/connection';
import { Outbox } from '../memory/outbox';
import { runRecordSchema, type RunRecord } from './runRecord';
import { RUNS_DIR, type FinishedRunSink } from './runStore';

// Finished runs in the team database (`claude_pm_runs`), beside the local run history: the team's recent runs and
// what they cost. A run recorded while the database is unreachable waits in its own outbox and is replayed
// exactly once (the run id is the table's key, so a replay after a lost reply inserts nothing).

/** The outbox of runs not yet in the team database, beside the local run history. */
export const TEAM_RUN_OUTBOX = join(RUNS_DIR, 'team-outbox');

/** A queued run: the record and the workspace it is filed under. */
export const queuedTeamRunSchema = z.object({ run: runRecordSchema, workspace: z.string() });
type QueuedRun = z.infer<typeof queuedTeamRunSchema>;

/** How a finished run reached the team database. */
export type TeamRunOutcome = 'recorded' | 'queued' | 'refused';

export interface TeamRunRecorderOptions {
  logger?: Logger;
  /** How often queued runs are retried while the database is unreachable. */
  replayIntervalMs?: number;
  /** The name runs are filed under (the workspace folder's name by default). */
  workspace?: string;
}

const REPLAY_BATCH = 200;
const COLUMNS = [
  ['id', 'text'],
  ['kind', 'text'],
  ['name', 'text'],
  ['status', 'text'],
  ['started_at', 'timestamptz'],
  ['finished_at', 'timestamptz'],
  ['duration_ms', 'bigint'],
  ['input_tokens', 'bigint'],
  ['output_tokens', 'bigint'],
  ['cache_read_tokens', 'bigint'],
  ['cache_creation_tokens', 'bigint'],
  ['tool_calls', 'bigint'],
  ['cost_usd', 'numeric'],
  ['cost_estimated', 'boolean'],
  ['agent_type', 'text'],
  ['model', 'text'],
  ['trigger', 'text'],
  ['workspace', 'text'],
  ['record', 'jsonb'],
] as const;

// Every run of a batch in one statement; the connected user becomes `created_by` (row-level security checks it).
const INSERT_RUNS = `INSERT INTO claude_pm_runs (${COLUMNS.map(([c]) => c).join(', ')})
  SELECT ${COLUMNS.map(([c]) => `r.${c}`).join(', ')}
  FROM jsonb_to_recordset($1::jsonb) AS r(${COLUMNS.map(([c, t]) => `${c} ${t}`).join(', ')})
  ON CONFLICT (id) DO NOTHING`;

/** A run as a `claude_pm_runs` row: totals in columns for sums, the whole record (redacted) for details. */
export function teamRunRow(run: RunRecord, workspace: string): Record<(typeof COLUMNS)[number][0], unknown> {
  const distinct = (values: (string | undefined)[]) => [...new Set(values.filter((v): v is string => Boolean(v)))].join(', ') || null;
  const usage = run.usage;
  // jsonb refuses NUL characters, which agent output may hold.
  const record = JSON.parse(JSON.stringify(redactValue(run)).replace(/\\u0000/g, '')) as unknown;
  return {
    id: run.id,
    kind: run.file ? 'workflow' : 'agent',
    name: run.workflow,
    status: run.status,
    started_at: run.startedAt,
    finished_at: run.endedAt ?? null,
    duration_ms: run.durationMs === undefined ? null : Math.round(run.durationMs),
    input_tokens: usage?.input_tokens ?? 0,
    output_tokens: usage?.output_tokens ?? 0,
    cache_read_tokens: usage?.cache_read_input_tokens ?? 0,
    cache_creation_tokens: usage?.cache_creation_input_tokens ?? 0,
    tool_calls: run.toolCalls ?? 0,
    cost_usd: run.costUsd ?? 0,
    cost_estimated: run.costEstimated ?? false,
    agent_type: distinct(run.steps.map((s) => s.ranAs ?? s.agentType)),
    model: distinct(run.steps.map((s) => s.model)),
    trigger: run.trigger ? [run.trigger.source, run.trigger.event, run.trigger.action].filter(Boolean).join(' ') : 'manual',
    workspace,
    record,
  };
}

/**
 * Writes finished runs to the team database. Never throws at the caller: the run is in the local history whatever
 * happens here, an unreachable database queues it, and a refusal (a viewer's connection) is logged once.
 */
export class TeamRunRecorder implements FinishedRunSink {
  private readonly logger: Logger;
  private readonly outbox: Outbox<QueuedRun>;
  private readonly workspace: string;
  private readonly replayIntervalMs: number;
  private poolInstance: pg.Pool | undefined;
  private replayTimer: NodeJS.Timeout | undefined;
  private replaying: Promise<void> | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  private refusalReported = false;
  private outboxChecked = false;
  private disposed = false;

  constructor(
    private readonly url: string,
    root: string,
    options: TeamRunRecorderOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger;
    this.outbox = new Outbox(join(root, TEAM_RUN_OUTBOX), queuedTeamRunSchema);
    this.workspace = options.workspace ?? basename(root);
    this.replayIntervalMs = options.replayIntervalMs ?? 5000;
  }

  private get pool(): pg.Pool {
    this.poolInstance ??= createPool(this.url, { max: 2, applicationName: 'claude-pm-runs', onError: (message) => this.logger.debug(`team database: ${message}`) });
    return this.poolInstance;
  }

  /** Runs waiting for the database, as last counted. */
  get queued(): number {
    return this.outbox.size;
  }

  /** Records a finished run (a running one is ignored); resolves with where it went. */
  record(run: RunRecord): Promise<TeamRunOutcome | undefined> {
    if (run.status === 'running' || this.disposed) return Promise.resolve(undefined);
    const pending = this.send(run);
    this.inFlight.add(pending);
    void pending.finally(() => this.inFlight.delete(pending));
    return pending;
  }

  /** Waits for every run handed to `record` to be recorded, queued or refused. */
  async settled(): Promise<void> {
    while (this.inFlight.size) await Promise.all(this.inFlight);
  }

  private async send(run: RunRecord): Promise<TeamRunOutcome> {
    const queued: QueuedRun = { run, workspace: this.workspace };
    try {
      await this.insert(this.pool, [queued]);
      // The database is up: send what an earlier outage (or an earlier process) left queued.
      if (!this.outboxChecked) {
        this.outboxChecked = true;
        await this.outbox.pending();
      }
      if (this.outbox.size) void this.replay().catch(() => undefined);
      return 'recorded';
    } catch (error) {
      if (isUnreachable(error)) {
        await this.outbox.push(queued);
        this.logger.debug(`team database unreachable (${describeDatabaseError(error)}): run ${run.id} queued`);
        this.scheduleReplay();
        return 'queued';
      }
      this.reportRefusal(error);
      return 'refused';
    }
  }

  /** Sends every queued run, a few hundred per statement; one process replays at a time. */
  replay(): Promise<void> {
    this.replaying ??= this.outbox
      .replayBatches(REPLAY_BATCH, async (writes) => {
        if (this.disposed) return false;
        const runs = writes.map((w) => w.entry);
        try {
          await this.insert(this.pool, runs);
        } catch (error) {
          if (isUnreachable(error)) throw error;
          // One run the database refuses (its role, a changed constraint) must not hold the others back.
          for (const run of runs) await this.insert(this.pool, [run]).catch((refused: unknown) => (isUnreachable(refused) ? Promise.reject(refused) : this.reportRefusal(refused)));
        }
        return true;
      })
      .then(() => {
        if (this.outbox.size === 0 && this.replayTimer) {
          clearInterval(this.replayTimer);
          this.replayTimer = undefined;
        }
      })
      .finally(() => {
        this.replaying = undefined;
      });
    return this.replaying;
  }

  private async insert(pool: pg.Pool, runs: readonly QueuedRun[]): Promise<void> {
    await pool.query(INSERT_RUNS, [JSON.stringify(runs.map((q) => teamRunRow(q.run, q.workspace)))]);
  }

  private scheduleReplay(): void {
    this.replayTimer ??= setInterval(() => {
      void this.replay().catch((error: unknown) => this.logger.debug(`team database: queued runs wait: ${describeDatabaseError(error)}`));
    }, this.replayIntervalMs);
    this.replayTimer.unref();
  }

  private reportRefusal(error: unknown): void {
    if (this.refusalReported) return;
    this.refusalReported = true;
    this.logger.warn(`team database refused a run record (${describeDatabaseError(error)}); runs stay in the local history. A viewer's connection cannot record runs: ask an admin for the developer role.`);
  }

  async dispose(): Promise<void> {
    await this.settled();
    this.disposed = true;
    if (this.replayTimer) clearInterval(this.replayTimer);
    await this.replaying?.catch(() => undefined);
    await this.poolInstance?.end().catch(() => undefined);
  }
}

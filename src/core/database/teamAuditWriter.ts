import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type pg from 'pg';
import { z } from 'zod';
import { silentLogger, type Logger } from '../common/logger';
import type { AuditTrust } from '../security/auditKeys';
import { AUDIT_LOG_PATH } from '../security/auditLog';
import { TeamAuditTrail, type TeamAuditEvent } from './audit';
import { createPool, describeDatabaseError, isUnreachable } from './connection';

// Audit events on their way to the team database's trail from a long-lived process (the editor). Recording never
// waits for the database: each event is first added to a durable queue beside the workspace's audit log, then a
// background drain appends the queue in order through `TeamAuditTrail.append` (the CLI's path too), a batch per
// transaction. While the database is unreachable the events wait in the queue and are retried; a later process
// sends what an earlier one left.

/** The queue of audit events not yet in the team database, beside the workspace's audit log. */
export const TEAM_AUDIT_OUTBOX = join(AUDIT_LOG_PATH, '..', 'team-audit-outbox');

export const queuedTeamAuditEventSchema = z.object({
  /** Written into the row's details as `event_id`, so a replay after a lost reply can tell what already arrived. */
  id: z.string(),
  event: z.string(),
  action: z.string(),
  target: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
  attempted: z.boolean().default(false),
});
export type QueuedTeamAuditEvent = z.infer<typeof queuedTeamAuditEventSchema>;

/**
 * What the writer needs of a durable queue: the memory area's `Outbox` (the one team run records use) fits it.
 * `replayBatches` hands pending events in order and marks them sent once `send` returns true.
 */
export interface TeamAuditQueue {
  readonly size: number;
  pushMany(entries: QueuedTeamAuditEvent[]): Promise<void>;
  pending(): Promise<unknown[]>;
  replayBatches(size: number, send: (writes: { entry: QueuedTeamAuditEvent }[]) => Promise<boolean>): Promise<void>;
}

export interface TeamAuditWriterOptions {
  /** Keys that seal the rows (the user's audit keys by default). */
  trust?: AuditTrust;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** How often queued events are retried while the database is unreachable. */
  retryIntervalMs?: number;
}

const BATCH = 100;
const INSUFFICIENT_PRIVILEGE = '42501';

/** Appends one event to the team database's audit trail on a connection of its own (a one-shot process: the CLI). */
export async function appendTeamAuditEvent(url: string, env: NodeJS.ProcessEnv, event: TeamAuditEvent): Promise<void> {
  const pool = createPool(url, { max: 1, applicationName: 'claude-pm-audit' });
  try {
    await new TeamAuditTrail(pool, url, { env }).append([event]);
  } finally {
    await pool.end().catch(() => undefined);
  }
}

/**
 * Records audit events into the team trail in the background and in order. `record` returns at once and never
 * throws; `settled` waits until everything recorded so far is in the database or waiting in the queue.
 */
export class TeamAuditWriter {
  private readonly logger: Logger;
  private readonly retryIntervalMs: number;
  private readonly trail: TeamAuditTrail;
  private readonly pool: pg.Pool;
  private queued: Promise<void> = Promise.resolve();
  private readonly unqueued: QueuedTeamAuditEvent[] = [];
  private draining: Promise<void> | undefined;
  private drainAgain = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private refusalReported = false;
  private waitingReported = false;
  private disposed = false;

  constructor(
    url: string,
    private readonly queue: TeamAuditQueue,
    options: TeamAuditWriterOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger;
    this.retryIntervalMs = options.retryIntervalMs ?? 5000;
    this.pool = createPool(url, { max: 1, applicationName: 'claude-pm-audit', onError: (message) => this.logger.debug(`team database: ${message}`) });
    this.trail = new TeamAuditTrail(this.pool, url, { ...(options.trust ? { trust: options.trust } : {}), ...(options.env ? { env: options.env } : {}) });
  }

  /** Events waiting for the database, as last counted. */
  get waiting(): number {
    return this.queue.size;
  }

  /** Queues events (in the order of the calls) and starts sending them. */
  record(events: readonly TeamAuditEvent[]): void {
    if (this.disposed || events.length === 0) return;
    const copies = events.map(({ event, action, target, details }): QueuedTeamAuditEvent => ({ id: randomUUID(), event, action, ...(target === undefined ? {} : { target }), ...(details === undefined ? {} : { details }), attempted: false }));
    this.unqueued.push(...copies);
    // Events recorded while the previous ones are being queued go in with one append (a burst of events).
    this.queued = this.queued
      .then(() => {
        const batch = this.unqueued.splice(0);
        return batch.length ? this.queue.pushMany(batch) : undefined;
      })
      .then(
        () => void this.drain(),
        (error: unknown) => this.logger.warn(`could not queue an audit event for the team database: ${(error as Error).message}`),
      );
  }

  /** Sends what is queued (also what an earlier process left); resolves when the queue is empty or the database is down. */
  drain(): Promise<void> {
    if (this.draining) {
      this.drainAgain = true;
      return this.draining;
    }
    this.draining = (async () => {
      do {
        this.drainAgain = false;
        await this.queue.replayBatches(BATCH, (writes) => this.send(writes.map((w) => w.entry))).catch((error: unknown) => {
          this.logger.debug(`team database: queued audit events wait: ${describeDatabaseError(error)}`);
        });
      } while (this.drainAgain && !this.disposed);
      await this.queue.pending().catch(() => undefined);
      if (this.queue.size > 0) this.scheduleRetry();
      else this.stopRetry();
    })().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  /** Waits until every event recorded so far is in the database or waiting in the queue. */
  async settled(): Promise<void> {
    await this.queued;
    while (this.draining) await this.draining;
  }

  private async send(queued: QueuedTeamAuditEvent[]): Promise<boolean> {
    if (this.disposed) return false;
    try {
      const arrived = await this.alreadyArrived(queued.filter((q) => q.attempted).map((q) => q.id));
      const events = queued.filter((q) => !arrived.has(q.id)).map(({ id, details, attempted: _attempted, ...event }) => ({ ...event, details: { ...details, event_id: id } }));
      if (events.length) await this.trail.append(events);
      return true;
    } catch (error) {
      if (isUnreachable(error)) return false;
      // A role without the right to append (a viewer's connection) never will: dropping the events keeps them from
      // holding later ones back, and they stay in the workspace's own audit log.
      if ((error as { code?: string }).code === INSUFFICIENT_PRIVILEGE) {
        this.reportRefusal(error);
        return true;
      }
      // Anything else (a schema not migrated yet) may pass later: the events wait and are retried.
      this.reportWaiting(error);
      return false;
    }
  }

  /** Which of the events sent before (their reply lost: a crash, a dropped connection) the trail already holds. */
  private async alreadyArrived(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const found = await this.pool.query<{ id: string }>("SELECT details->>'event_id' AS id FROM claude_pm_audit WHERE details->>'event_id' = ANY($1::text[])", [ids]);
    return new Set(found.rows.map((r) => r.id));
  }

  private scheduleRetry(): void {
    if (this.disposed) return;
    this.retryTimer ??= setInterval(() => void this.drain(), this.retryIntervalMs);
    this.retryTimer.unref();
  }

  private stopRetry(): void {
    if (this.retryTimer) clearInterval(this.retryTimer);
    this.retryTimer = undefined;
  }

  private reportRefusal(error: unknown): void {
    if (this.refusalReported) return;
    this.refusalReported = true;
    this.logger.warn(`team database refused audit events (${describeDatabaseError(error)}); they stay in the workspace's audit log only. A viewer's connection cannot append to the team's audit trail: ask an admin for the developer role.`);
  }

  private reportWaiting(error: unknown): void {
    if (this.waitingReported) return;
    this.waitingReported = true;
    this.logger.warn(`team database did not take audit events (${describeDatabaseError(error)}); they wait in ${TEAM_AUDIT_OUTBOX} and are retried (run 'claude-pm db migrate' if the schema is behind).`);
  }

  /** Finishes what was recorded (sent or queued), then closes the connection. */
  async dispose(): Promise<void> {
    await this.settled();
    this.disposed = true;
    this.stopRetry();
    await this.pool.end().catch(() => undefined);
  }
}

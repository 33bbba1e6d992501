import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../common/logger';
import type { RunTrigger } from '../orchestration/runRecord';
import { DeliveryError, toDeliveryEvent, type DeliveryEvent } from './deliveryEvent';
import type { DeliveryLog, DeliveryRecord } from './deliveryLog';
import type { EventDispatcher, StartedRun } from './eventDispatcher';
import { RateLimiter } from './rateLimiter';
import { header, verifyDelivery, WEBHOOK_SOURCES, type WebhookSource } from './signature';

// `claude-pm serve` and the editor's event listener: POST /webhooks/{github,gitlab,generic}, GET /healthz.
// Order of work for a delivery: size limit while reading → signature → rate limit → replay → parse →
// payload on disk and audit line → 202 → runs started from a queue. Nothing runs for a delivery that
// fails any check before the 202.

export interface WebhookServerOptions {
  secret: string;
  host?: string;
  port?: number;
  maxBodyBytes?: number;
  /** Accepted deliveries per minute per source. */
  ratePerMinute?: number;
  /** Deliveries turned into runs at the same time (the engine limits the runs' steps itself). */
  dispatchConcurrency?: number;
  log: DeliveryLog;
  dispatcher: EventDispatcher;
  logger: Logger;
  onRunsStarted?: (event: DeliveryEvent, runs: StartedRun[]) => void;
}

export interface ShutdownSummary {
  /** Runs that finished within the grace period. */
  finished: number;
  /** Runs stopped when the grace period ended. */
  cancelled: number;
  /** Accepted deliveries that had not started yet; their payloads stay for redelivery. */
  notStarted: number;
}

export const DEFAULT_PORT = 8787;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;
export const DEFAULT_RATE_PER_MINUTE = 300;
const DEFAULT_DISPATCH_CONCURRENCY = 4;
const ROUTE = /^\/webhooks\/([a-z]+)\/?$/;

interface Queued {
  event: DeliveryEvent;
  trigger: RunTrigger;
}

export class WebhookServer {
  private readonly server: Server;
  private readonly limiter: RateLimiter;
  private readonly maxBody: number;
  private readonly queue: Queued[] = [];
  private readonly running = new Set<StartedRun>();
  private readonly inFlight = new Set<Promise<void>>();
  private dispatching = 0;
  private accepting = true;
  /** Set when the grace period is over: runs a dispatch starts after that are stopped at once. */
  private stopRuns = false;
  private readonly counts = { accepted: 0, rejected: 0, duplicate: 0 };

  constructor(private readonly options: WebhookServerOptions) {
    if (!options.secret) throw new Error('a webhook secret is required: set CLAUDE_PM_WEBHOOK_SECRET');
    this.limiter = new RateLimiter(options.ratePerMinute ?? DEFAULT_RATE_PER_MINUTE);
    this.maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.server = createServer((req, res) => void this.handle(req, res));
    // Senders wait at most 10 s (github.com) for the answer; a slow client must not hold a socket longer.
    this.server.requestTimeout = 30_000;
    this.server.headersTimeout = 15_000;
  }

  /** Starts listening; resolves with the bound address (port 0 picks a free port). */
  listen(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? DEFAULT_PORT, this.options.host ?? DEFAULT_HOST, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  get activeRuns(): StartedRun[] {
    return [...this.running];
  }

  get stats() {
    return { ...this.counts, queued: this.queue.length, activeRuns: this.running.size, accepting: this.accepting };
  }

  /**
   * Stops accepting (new requests get 503 until the socket closes), lets running runs finish within
   * `graceMs`, then cancels the rest and waits for their processes to stop.
   */
  async shutdown(graceMs: number): Promise<ShutdownSummary> {
    this.accepting = false;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const notStarted = this.queue.splice(0);
    for (const item of notStarted) {
      await this.options.log.append({ outcome: 'finished', source: item.event.source, deliveryId: item.event.deliveryId, event: item.event.name, reason: 'not run: the listener stopped first', payloadKept: true });
    }
    const runsBefore = this.running.size;
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), graceMs)));
    const drained = (async () => {
      while (this.inFlight.size) await Promise.all(this.inFlight);
      return 'drained' as const;
    })();
    const outcome = await Promise.race([drained, graceOver]);
    clearTimeout(timer);
    let cancelled = 0;
    if (outcome === 'timeout') {
      this.stopRuns = true;
      for (const run of this.running) {
        this.options.logger.warn(`stopping run ${run.handle.id} of '${run.workflow}': the grace period of ${graceMs / 1000} s is over`);
        run.handle.cancel();
        cancelled++;
      }
      await drained;
    }
    this.server.closeAllConnections();
    await closed;
    return { finished: Math.max(0, runsBefore - cancelled), cancelled, notStarted: notStarted.length };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    try {
      if (path === '/healthz') {
        if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, { error: 'use GET' }, { Allow: 'GET' });
        return reply(res, this.accepting ? 200 : 503, { status: this.accepting ? 'ok' : 'stopping', ...this.stats });
      }
      const route = ROUTE.exec(path);
      const source = route && (WEBHOOK_SOURCES as readonly string[]).includes(route[1]!) ? (route[1] as WebhookSource) : undefined;
      if (!source) return reply(res, 404, { error: 'not found: POST /webhooks/github, /webhooks/gitlab or /webhooks/generic' });
      if (req.method !== 'POST') return reply(res, 405, { error: 'use POST' }, { Allow: 'POST' });
      if (!this.accepting) return reply(res, 503, { error: 'the listener is stopping' }, { Connection: 'close' });
      await this.receive(source, req, res);
    } catch (error) {
      this.options.logger.error(`webhook ${path}: ${(error as Error).message}`);
      if (!res.headersSent) reply(res, 500, { error: 'internal error; the delivery was not accepted' });
    }
  }

  private async receive(source: WebhookSource, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const remote = req.socket.remoteAddress;
    const reject = async (status: number, reason: string, extra: Partial<DeliveryRecord> = {}, headers: Record<string, string> = {}) => {
      this.counts.rejected++;
      reply(res, status, { error: reason }, headers);
      await this.options.log.append({ outcome: 'rejected', source, status, reason, remote, ...extra });
    };
    const declared = Number(header(req.headers, 'content-length'));
    if (Number.isFinite(declared) && declared > this.maxBody) {
      return reject(413, `the body (${declared} bytes) is over the limit of ${this.maxBody} bytes`, {}, { Connection: 'close' });
    }
    const body = await readBody(req, this.maxBody);
    if (!body) return reject(413, `the body is over the limit of ${this.maxBody} bytes`, {}, { Connection: 'close' });
    const verified = verifyDelivery(source, this.options.secret, req.headers, body);
    if (!verified.ok) return reject(401, verified.reason);
    if (!this.limiter.take(source)) {
      const wait = this.limiter.retryAfterSeconds(source);
      return reject(429, `more than ${this.options.ratePerMinute ?? DEFAULT_RATE_PER_MINUTE} deliveries a minute from ${source}`, {}, { 'Retry-After': String(Math.max(1, wait)) });
    }
    const type = header(req.headers, 'content-type') ?? 'application/json';
    if (!/^application\/(?:[\w.+-]*\+)?json\b/i.test(type)) return reject(415, `send the payload as application/json, not ${type}`);
    let event: DeliveryEvent;
    try {
      event = toDeliveryEvent(source, req.headers, body);
    } catch (error) {
      if (!(error instanceof DeliveryError)) throw error;
      return reject(400, error.message);
    }
    const identity = { source, deliveryId: event.deliveryId, event: event.name, ...(event.action ? { action: event.action } : {}), remote };
    if (!this.options.log.claim(source, event.deliveryId)) {
      this.counts.duplicate++;
      reply(res, 200, { status: 'duplicate', delivery: event.deliveryId });
      return this.options.log.append({ outcome: 'duplicate', status: 200, reason: 'seen before; not run again', ...identity });
    }
    let payloadFile: string;
    try {
      payloadFile = await this.options.log.savePayload(source, event.deliveryId, body);
      await this.options.log.append({ outcome: 'accepted', status: 202, meta: triggerMeta(event), ...identity });
    } catch (error) {
      this.options.log.release(source, event.deliveryId);
      throw error;
    }
    this.counts.accepted++;
    reply(res, 202, { status: 'accepted', delivery: event.deliveryId });
    const trigger: RunTrigger = { source, event: event.name, ...(event.action ? { action: event.action } : {}), deliveryId: event.deliveryId, receivedAt: new Date().toISOString(), payloadFile };
    this.queue.push({ event, trigger });
    this.pump();
  }

  private pump(): void {
    while (this.accepting && this.dispatching < (this.options.dispatchConcurrency ?? DEFAULT_DISPATCH_CONCURRENCY) && this.queue.length) {
      const item = this.queue.shift()!;
      this.dispatching++;
      const work = this.process(item).finally(() => {
        this.inFlight.delete(work);
      });
      this.inFlight.add(work);
    }
  }

  private async process({ event, trigger }: Queued): Promise<void> {
    let runs: StartedRun[] = [];
    try {
      runs = await this.options.dispatcher.dispatch(event, trigger);
    } catch (error) {
      this.options.logger.error(`delivery ${event.deliveryId}: ${(error as Error).message}`);
    } finally {
      this.dispatching--;
      this.pump();
    }
    for (const run of runs) {
      this.running.add(run);
      if (this.stopRuns) run.handle.cancel();
    }
    this.options.onRunsStarted?.(event, runs);
    await settleDelivery(this.options.log, event, trigger, runs, (run) => this.running.delete(run));
  }
}

/**
 * Records the runs a delivery started, waits for them, and drops the payload when every one succeeded
 * (a failed run keeps it for redelivery).
 */
export async function settleDelivery(log: DeliveryLog, event: DeliveryEvent, trigger: RunTrigger, runs: StartedRun[], onDone: (run: StartedRun) => void = () => {}): Promise<void> {
  const identity = { source: event.source, deliveryId: event.deliveryId, event: event.name };
  await log.append({ outcome: 'dispatched', ...identity, runs: runs.map((r) => ({ workflow: r.workflow, runId: r.handle.id })), ...(runs.length ? {} : { reason: 'no workflow triggers match' }) });
  const records = await Promise.all(runs.map((r) => r.handle.done.finally(() => onDone(r))));
  const keep = records.some((r) => r.status !== 'succeeded');
  if (!keep && trigger.payloadFile) await log.dropPayload(trigger.payloadFile);
  await log.append({ outcome: 'finished', ...identity, runs: records.map((r) => ({ workflow: r.workflow, runId: r.id, status: r.status })), payloadKept: keep });
}

function triggerMeta(event: DeliveryEvent): DeliveryRecord['meta'] {
  return { labels: event.labels, ...(event.branch ? { branch: event.branch } : {}), ...(event.tag ? { tag: event.tag } : {}), ...(event.paths ? { paths: event.paths } : {}), ...(event.state ? { state: event.state } : {}) };
}

/** The body, or undefined once it passes `limit` bytes (the rest is discarded, not buffered). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { CONFIG_DIR } from '../config/loadConfig';
import { redact } from '../common/redact';
import type { DeliveryEvent } from './deliveryEvent';
import type { WebhookSource } from './signature';

// `.claude-pm/events/`: the audit trail of every delivery (deliveries.jsonl, one JSON object a line) and the
// payloads of accepted deliveries (payloads/<source>-<id>.json). The accepted delivery ids in the trail are
// the replay guard, so a delivery seen before is not run again, also after a restart.

export const EVENTS_DIR = join(CONFIG_DIR, 'events');
const LOG_NAME = 'deliveries.jsonl';
const MAX_LOG_BYTES = 10 * 1024 * 1024;
/** GitHub Enterprise Server allows redelivery for 7 days; remember ids at least that long. */
const REPLAY_WINDOW_MS = 8 * 24 * 60 * 60 * 1000;

export type DeliveryOutcome = 'accepted' | 'duplicate' | 'rejected' | 'dispatched' | 'finished' | 'redelivered';

export interface DeliveryRecord {
  at: string;
  outcome: DeliveryOutcome;
  source: WebhookSource;
  deliveryId?: string;
  event?: string;
  action?: string;
  /** The trigger fields of the normalised event, so a redelivery matches the same way without the headers. */
  meta?: Pick<DeliveryEvent, 'branch' | 'tag' | 'paths' | 'state' | 'labels'>;
  /** HTTP status answered. */
  status?: number;
  reason?: string;
  remote?: string;
  runs?: { workflow: string; runId: string; status?: string }[];
  payloadKept?: boolean;
}

export class DeliveryLog {
  readonly dir: string;
  readonly file: string;
  private readonly seen = new Map<string, number>();
  private queue: Promise<void> = Promise.resolve();
  private pending: string[] = [];
  private flushing?: Promise<void>;

  private constructor(readonly root: string) {
    this.dir = join(root, EVENTS_DIR);
    this.file = join(this.dir, LOG_NAME);
  }

  /** Opens the trail of a workspace and loads the delivery ids accepted within the replay window. */
  static async open(root: string, now = Date.now()): Promise<DeliveryLog> {
    const log = new DeliveryLog(root);
    for (const record of await log.read()) {
      const at = Date.parse(record.at);
      if (record.outcome === 'accepted' && record.deliveryId && now - at < REPLAY_WINDOW_MS) log.seen.set(key(record.source, record.deliveryId), at);
    }
    return log;
  }

  /**
   * Claims a delivery id: true the first time, false when it was accepted before. Synchronous, so two
   * concurrent copies of one delivery cannot both win.
   */
  claim(source: WebhookSource, deliveryId: string, now = Date.now()): boolean {
    const k = key(source, deliveryId);
    if (this.seen.has(k)) return false;
    this.seen.set(k, now);
    return true;
  }

  /** Gives a claim back when the delivery could not be stored, so the sender's retry is not taken for a replay. */
  release(source: WebhookSource, deliveryId: string): void {
    this.seen.delete(key(source, deliveryId));
  }

  /**
   * Appends one record (redacted). Records that arrive while a write is going on are written together in
   * the next one, so a burst of deliveries costs a few appends, and lines from this process never interleave.
   */
  append(record: Omit<DeliveryRecord, 'at'>, now = new Date()): Promise<void> {
    this.pending.push(`${redact(JSON.stringify({ at: now.toISOString(), ...record }))}\n`);
    this.flushing ??= this.queue.then(async () => {
      this.flushing = undefined;
      const text = this.pending.splice(0).join('');
      await mkdir(this.dir, { recursive: true });
      const size = (await stat(this.file).catch(() => undefined))?.size ?? 0;
      if (size > 0 && size + text.length > MAX_LOG_BYTES) await rename(this.file, `${this.file}.1`);
      await appendFile(this.file, text, 'utf8');
    });
    const written = this.flushing;
    this.queue = written.catch(() => undefined);
    return written;
  }

  /** Every readable record, oldest first, the rotated file included; malformed lines are skipped. */
  async read(): Promise<DeliveryRecord[]> {
    const records: DeliveryRecord[] = [];
    for (const file of [`${this.file}.1`, this.file]) {
      const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return '';
        throw error;
      });
      for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        try {
          const record = JSON.parse(line) as DeliveryRecord;
          if (record && typeof record === 'object' && typeof record.at === 'string' && typeof record.outcome === 'string') records.push(record);
        } catch {
          // A line cut short by a crash: the rest of the trail still counts.
        }
      }
    }
    return records;
  }

  /**
   * Where the payload of a delivery is kept: always a file directly in `.claude-pm/events/payloads/`,
   * whatever the delivery id says (ids that are not a plain file name are hashed).
   */
  payloadPath(source: WebhookSource, deliveryId: string): string {
    const safe = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(deliveryId) ? deliveryId : createHash('sha256').update(deliveryId).digest('hex');
    const dir = join(this.dir, 'payloads');
    const path = join(dir, `${source}-${safe}.json`);
    const rel = relative(dir, path);
    if (rel.startsWith('..') || isAbsolute(rel) || rel.includes('/')) throw new Error(`the payload path of delivery '${deliveryId}' leaves ${dir}`);
    return path;
  }

  async savePayload(source: WebhookSource, deliveryId: string, body: Buffer): Promise<string> {
    const path = this.payloadPath(source, deliveryId);
    await mkdir(join(this.dir, 'payloads'), { recursive: true });
    // Written before the 202 goes out: an accepted delivery is never lost to a crash.
    await writeFile(path, body, { mode: 0o600 });
    return path;
  }

  async dropPayload(path: string): Promise<void> {
    await rm(path, { force: true });
  }
}

function key(source: WebhookSource, deliveryId: string): string {
  return `${source}\u0000${deliveryId}`;
}

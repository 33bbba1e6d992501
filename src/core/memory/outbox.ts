import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../common/atomicFile';
import { withLock } from './storeLock';

export const outboxEntrySchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('add'), clientId: z.string(), text: z.string(), metadata: z.record(z.string(), z.unknown()), at: z.string(), attempted: z.boolean().default(false) }),
  z.object({ op: z.literal('update'), id: z.string(), text: z.string().optional(), metadata: z.record(z.string(), z.unknown()).optional(), at: z.string() }),
  z.object({ op: z.literal('delete'), id: z.string(), at: z.string() }),
]);
export type OutboxEntry = z.infer<typeof outboxEntrySchema>;

/** An `attempted: false` on a queued write marks one to check for before it is sent again (a lost reply). */
const attemptedFlag = (entry: object) => entry as { attempted?: boolean };

/** A queued write with the sequence id its journal lines refer to. */
export interface QueuedWrite<E extends object = OutboxEntry> {
  seq: string;
  entry: E;
}

/** One journal line: a queued write, a change to one, an attempt to send it, or its end. */
function journalLineSchema<E extends object>(entry: z.ZodType<E>) {
  return z.union([z.object({ queued: z.string(), entry }), z.object({ amended: z.string(), entry }), z.object({ attempted: z.string() }), z.object({ done: z.string() })]);
}
type JournalLine<E> = { queued: string; entry: E } | { amended: string; entry: E } | { attempted: string } | { done: string };

const JOURNAL_FILE = 'outbox.jsonl';
/** The whole-file outbox of earlier versions: its writes move into the journal once, then it is removed. */
const LEGACY_FILE = 'outbox.json';
const LOCK_FILE = '.lock';
const REPLAY_LOCK_FILE = '.outbox-replay.lock';
/** Rewrite the journal once it holds this many lines more than twice its pending writes. */
const COMPACT_SLACK = 200;

/**
 * Writes made while a server (the memory server, the team database) is unreachable, in an append-only journal
 * (`outbox.jsonl`) that every process changes only under the store lock and re-reads before use, so concurrent
 * writers never overwrite each other's queued writes. Replays are serialised across processes, and each write is
 * marked done as soon as the server took it, so it is sent exactly once. Memory writes by default; `schema` queues
 * other records (finished runs) in a folder of their own.
 */
export class Outbox<E extends object = OutboxEntry> {
  readonly path: string;
  private readonly dir: string;
  private readonly entrySchema: z.ZodType<E>;
  private readonly lineSchema: ReturnType<typeof journalLineSchema<E>>;
  private known = 0;

  constructor(dir: string, schema: z.ZodType<E> = outboxEntrySchema as unknown as z.ZodType<E>) {
    this.dir = dir;
    this.path = join(dir, JOURNAL_FILE);
    this.entrySchema = schema;
    this.lineSchema = journalLineSchema(schema);
  }

  /** Pending writes as last read (for status lines); `pending()` reads the journal again. */
  get size(): number {
    return this.known;
  }

  /** The writes still to send, in order, read from the journal. */
  async pending(): Promise<QueuedWrite<E>[]> {
    const queue = await this.locked(() => this.read());
    this.known = queue.length;
    return queue;
  }

  async push(entry: E): Promise<void> {
    await this.pushMany([entry]);
  }

  /** Queues several writes in order with one append. */
  async pushMany(entries: E[]): Promise<void> {
    await this.locked(async () => {
      await this.append(entries.map((entry) => ({ queued: randomUUID(), entry })));
      this.known = (await this.read()).length;
    });
  }

  /**
   * Changes (or, when `change` returns undefined, drops) the first pending write `match` accepts; false when
   * none does (it was sent meanwhile).
   */
  async amend(match: (entry: E) => boolean, change: (entry: E) => E | undefined): Promise<boolean> {
    return this.locked(async () => {
      const queue = await this.read();
      const found = queue.find((q) => match(q.entry));
      if (!found) return false;
      const next = change(found.entry);
      await this.append([next ? { amended: found.seq, entry: next } : { done: found.seq }]);
      this.known = queue.length - (next ? 0 : 1);
      return true;
    });
  }

  /**
   * Sends pending writes in order through `send` until it returns false (the server is still down). Only one
   * process replays at a time; another that finds the replay taken returns at once. An add is marked attempted
   * before it is sent, so a replay after a lost reply can ask the server before sending it again.
   */
  async replay(send: (write: QueuedWrite<E>) => Promise<boolean>): Promise<void> {
    await this.replayBatches(1, ([write]) => send(write as QueuedWrite<E>));
  }

  /**
   * As `replay`, up to `size` writes at a time for a server that applies a batch atomically (one transaction):
   * `send` gets them in order, and they are marked done together.
   */
  async replayBatches(size: number, send: (writes: QueuedWrite<E>[]) => Promise<boolean>): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await withLock(
      join(this.dir, REPLAY_LOCK_FILE),
      async () => {
        for (;;) {
          const batch = (await this.pending()).slice(0, size);
          if (batch.length === 0) break;
          const unattempted = batch.filter((q) => attemptedFlag(q.entry).attempted === false);
          // `send` still sees these entries as never attempted: it need not ask the server first.
          if (unattempted.length) await this.locked(() => this.append(unattempted.map((q) => ({ attempted: q.seq }))));
          if (!(await send(batch))) return;
          await this.locked(() => this.append(batch.map((q) => ({ done: q.seq }))));
        }
        await this.locked(() => this.compact());
      },
      { wait: false },
    );
    await this.pending();
  }

  /** Under the store lock, after taking over an earlier version's outbox file. */
  private async locked<T>(action: () => Promise<T>): Promise<T> {
    await mkdir(this.dir, { recursive: true });
    return withLock(join(this.dir, LOCK_FILE), async () => {
      await this.adoptLegacy();
      return action();
    });
  }

  private async append(lines: JournalLine<E>[]): Promise<void> {
    await appendFile(this.path, lines.map((l) => `${JSON.stringify(l)}\n`).join(''), { flush: true });
  }

  /** Rewrites the journal as its pending writes alone once finished ones dominate it. Call under the lock. */
  private async compact(): Promise<void> {
    const lines = (await this.text()).split('\n').filter((l) => l.trim() !== '').length;
    const queue = await this.read();
    if (lines <= queue.length * 2 + COMPACT_SLACK && queue.length > 0) return;
    if (queue.length === 0) {
      await rm(this.path, { force: true });
      return;
    }
    await writeFileAtomic(this.path, queue.map((q) => `${JSON.stringify({ queued: q.seq, entry: q.entry })}\n`).join(''));
  }

  private async read(): Promise<QueuedWrite<E>[]> {
    const queue = new Map<string, E>();
    const text = await this.text();
    const lines = text.split('\n');
    // A line without its newline is a write cut short: it was never acknowledged, so it is not a write.
    if (!text.endsWith('\n')) lines.pop();
    lines.forEach((raw, i) => {
      if (raw.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        throw new Error(`${this.path}:${i + 1} is not JSON; the queued writes stay in the file until that line is repaired or removed.`);
      }
      const parsed = this.lineSchema.safeParse(value);
      if (!parsed.success) throw new Error(`${this.path}:${i + 1} is not an outbox entry (${parsed.error.issues[0]?.message ?? 'bad shape'}); the queued writes stay in the file until it is repaired.`);
      const line = parsed.data;
      if ('queued' in line) queue.set(line.queued, line.entry);
      else if ('amended' in line) {
        if (queue.has(line.amended)) queue.set(line.amended, line.entry);
      } else if ('attempted' in line) {
        const entry = queue.get(line.attempted);
        if (entry && attemptedFlag(entry).attempted === false) attemptedFlag(entry).attempted = true;
      } else queue.delete(line.done);
    });
    return [...queue].map(([seq, entry]) => ({ seq, entry }));
  }

  private async text(): Promise<string> {
    try {
      return await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw error;
    }
  }

  /** Moves the writes of an `outbox.json` left by an earlier version into the journal, then removes it. Call under the lock. */
  private async adoptLegacy(): Promise<void> {
    const legacy = join(this.dir, LEGACY_FILE);
    let text: string;
    try {
      text = await readFile(legacy, 'utf8');
    } catch {
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = z.array(this.entrySchema).safeParse(json);
    if (!parsed.success) throw new Error(`${legacy} is damaged (${parsed.error.issues[0]?.message ?? 'bad shape'}); queued writes are kept in it until it is repaired.`);
    const lines = parsed.data.map((entry) => `${JSON.stringify({ queued: randomUUID(), entry })}\n`).join('');
    await appendFile(this.path, lines, { flush: true });
    await rm(legacy, { force: true });
  }
}

import { appendFile, mkdir, open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../common/atomicFile';
import { withLock } from './storeLock';
import { memoryRecordSchema } from './types';

export const memoryEventSchema = z.discriminatedUnion('e', [
  z.object({ e: z.literal('create'), at: z.string(), memory: memoryRecordSchema }),
  z.object({
    e: z.literal('update'),
    at: z.string(),
    id: z.string(),
    content: z.string().optional(),
    category: z.string().optional(),
    tags: z.array(z.string()).optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
    hash: z.string().optional(),
  }),
  z.object({ e: z.literal('delete'), at: z.string(), id: z.string() }),
]);
export type MemoryEvent = z.infer<typeof memoryEventSchema>;

export interface ReadResult {
  events: MemoryEvent[];
  /** Byte offset just past the last complete line read. */
  offset: number;
  /** Inode of the log: a change means it was compacted and must be re-read from the start. */
  inode: number;
  corrupt: string[];
  /** True when the file ends with an unterminated line (a write cut short or still in progress). */
  truncatedTail: boolean;
}

export const EVENTS_FILE = 'events.jsonl';
export const CORRUPT_FILE = 'corrupt.jsonl';
const LOCK_FILE = '.lock';

/**
 * The append-only JSONL log that is the embedded store's source of truth. Appends and compaction take the
 * store lock; readers never do and only consume complete lines, so a writer killed mid-line costs nothing.
 */
export class EventLog {
  readonly path: string;
  private readonly lockPath: string;

  constructor(readonly dir: string) {
    this.path = join(dir, EVENTS_FILE);
    this.lockPath = join(dir, LOCK_FILE);
  }

  locked<T>(action: () => Promise<T>): Promise<T> {
    return mkdir(this.dir, { recursive: true }).then(() => withLock(this.lockPath, action));
  }

  /**
   * Appends events durably (fsync) and returns the file size after the write. Call inside `locked`.
   * A previous writer killed mid-line left no newline: one is inserted so the cut line stays isolated.
   */
  async appendLocked(events: readonly MemoryEvent[]): Promise<number> {
    const handle = await open(this.path, 'a+');
    try {
      const { size } = await handle.stat();
      let prefix = '';
      if (size > 0) {
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) prefix = '\n';
      }
      const text = prefix + events.map((e) => JSON.stringify(e)).join('\n') + '\n';
      const bytes = Buffer.from(text, 'utf8');
      await handle.write(bytes, 0, bytes.length, null);
      await handle.datasync();
      return size + bytes.length;
    } finally {
      await handle.close();
    }
  }

  /** Reads complete lines from `offset` on. A missing log reads as empty. */
  async readFrom(offset: number, knownInode?: number): Promise<ReadResult> {
    let info;
    try {
      info = await stat(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { events: [], offset: 0, inode: 0, corrupt: [], truncatedTail: false };
      throw error;
    }
    const start = knownInode !== undefined && knownInode !== info.ino ? 0 : offset;
    if (info.size <= start) return { events: [], offset: start, inode: info.ino, corrupt: [], truncatedTail: false };
    const handle = await open(this.path, 'r');
    let buffer: Buffer;
    try {
      buffer = Buffer.alloc(info.size - start);
      let read = 0;
      while (read < buffer.length) {
        const { bytesRead } = await handle.read(buffer, read, buffer.length - read, start + read);
        if (bytesRead === 0) break;
        read += bytesRead;
      }
      buffer = buffer.subarray(0, read);
    } finally {
      await handle.close();
    }
    const end = buffer.lastIndexOf(0x0a) + 1;
    const { events, corrupt } = parseLines(buffer.subarray(0, end).toString('utf8'));
    return { events, offset: start + end, inode: info.ino, corrupt, truncatedTail: end < buffer.length };
  }

  /** Keeps unreadable lines aside for inspection instead of dropping them silently. */
  async setAside(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    const path = join(this.dir, CORRUPT_FILE);
    const existing = new Set((await readFile(path, 'utf8').catch(() => '')).split('\n'));
    const fresh = lines.filter((l) => !existing.has(l));
    if (fresh.length > 0) await appendFile(path, fresh.map((l) => `${l}\n`).join(''));
  }

  /** Replaces the log with `events` (temp file + rename). Call inside `locked`, after reading everything. */
  async replaceLocked(events: readonly MemoryEvent[]): Promise<void> {
    await writeFileAtomic(this.path, events.map((e) => `${JSON.stringify(e)}\n`).join(''));
  }
}

function parseLines(text: string): { events: MemoryEvent[]; corrupt: string[] } {
  const events: MemoryEvent[] = [];
  const corrupt: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      corrupt.push(line);
      continue;
    }
    const parsed = memoryEventSchema.safeParse(value);
    if (parsed.success) events.push(parsed.data);
    else corrupt.push(line);
  }
  return { events, corrupt };
}

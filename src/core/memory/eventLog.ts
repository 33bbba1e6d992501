import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
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

/**
 * Where a reader stands in the log. The file's identity is its compaction generation (a random id in the
 * header line, written anew by every compaction) plus its inode: ext4 hands a freed inode number to the next
 * file at once, so the inode alone cannot tell a compacted log from the one read before. Size and mtime catch
 * a file cut short or edited in place.
 */
export interface LogPosition {
  generation: string;
  inode: number;
  /** Byte offset just past the last complete line read. */
  offset: number;
  size: number;
  mtimeMs: number;
}

export interface ReadResult {
  position: LogPosition;
  /** True when the log is not the one `known` described (compacted, replaced, cut short): state must restart. */
  restarted: boolean;
  events: number;
  /** Unreadable lines, at most `MAX_CORRUPT_KEPT` of them; `corruptCount` has the total. */
  corrupt: string[];
  corruptCount: number;
  /** True when the file ends with an unterminated line (a write cut short or still in progress). */
  truncatedTail: boolean;
}

export const EVENTS_FILE = 'events.jsonl';
export const CORRUPT_FILE = 'corrupt.jsonl';
const LOCK_FILE = '.lock';
const HEADER_KEY = 'claude_pm_memory_log';
/** Generation of a log written before headers existed; any compaction replaces it with a real one. */
const LEGACY_GENERATION = '';
const CHUNK_BYTES = 4 * 1024 * 1024;
const HEADER_PROBE_BYTES = 256;
const MAX_CORRUPT_KEPT = 1000;
const LINES_PER_WRITE = 2000;
const TAIL_CHECK_BYTES = 4096;

/** Receives what `readFrom` finds: `restart` first when the log is not the one read before, then each event. */
export interface LogSink {
  restart(): void;
  /** `end` is the offset just past the event's line. */
  event(event: MemoryEvent, end: number): void;
}

export const EMPTY_POSITION: LogPosition = { generation: LEGACY_GENERATION, inode: 0, offset: 0, size: 0, mtimeMs: 0 };

/** A memory log that cannot be read or written, with the file and what to do about it. */
export class MemoryLogError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MemoryLogError';
  }
}

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
    return mkdir(this.dir, { recursive: true })
      .catch((error: unknown) => {
        throw this.explain(error, 'create the memory folder');
      })
      .then(() => withLock(this.lockPath, action));
  }

  /**
   * Appends events durably (fsync) and returns where the log now ends. Call inside `locked`, right after
   * reading up to `known`. A new log starts with a header; a previous writer killed mid-line left no newline:
   * one is inserted so the cut line stays isolated.
   */
  async appendLocked(events: readonly MemoryEvent[], known: LogPosition): Promise<LogPosition> {
    let handle: FileHandle;
    try {
      handle = await open(this.path, 'a+');
    } catch (error) {
      throw this.explain(error, 'write');
    }
    try {
      const info = await handle.stat();
      let prefix = '';
      let generation = known.generation;
      if (info.size === 0) {
        generation = randomUUID();
        prefix = headerLine(generation);
      } else {
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, info.size - 1);
        if (last[0] !== 0x0a) prefix = '\n';
      }
      let written = 0;
      for (let i = 0; i < events.length; i += LINES_PER_WRITE) {
        const lines = events.slice(i, i + LINES_PER_WRITE).map((e) => `${JSON.stringify(e)}\n`);
        const bytes = Buffer.from((i === 0 ? prefix : '') + lines.join(''), 'utf8');
        // A write may land only in part (a full disk, a file size limit): finish it or fail on the next call.
        for (let done = 0; done < bytes.length; ) done += (await handle.write(bytes, done, bytes.length - done, null)).bytesWritten;
        written += bytes.length;
      }
      await handle.datasync();
      const after = await handle.stat();
      return { generation, inode: after.ino, offset: info.size + written, size: after.size, mtimeMs: after.mtimeMs };
    } catch (error) {
      throw this.explain(error, 'write');
    } finally {
      await handle.close();
    }
  }

  /**
   * Streams the complete lines after `known` to `onEvent` (from the start when the log is not the one `known`
   * describes, after calling `sink.restart`), a chunk at a time so no log is ever held whole. A missing log
   * reads as empty.
   */
  async readFrom(known: LogPosition, sink: LogSink): Promise<ReadResult> {
    let handle: FileHandle;
    try {
      handle = await open(this.path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        const restarted = known.offset > 0;
        if (restarted) sink.restart();
        return { position: EMPTY_POSITION, restarted, events: 0, corrupt: [], corruptCount: 0, truncatedTail: false };
      }
      throw this.explain(error, 'read');
    }
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new MemoryLogError(`${this.path} is not a file: move it aside so the memory store can start a new log.`);
      const generation = await readGeneration(handle, info.size);
      const same =
        known.offset > 0 &&
        generation === known.generation &&
        info.ino === known.inode &&
        info.size >= known.offset &&
        !(info.size === known.size && info.mtimeMs !== known.mtimeMs);
      const start = same ? known.offset : 0;
      const result: ReadResult = {
        position: { generation, inode: info.ino, offset: start, size: info.size, mtimeMs: info.mtimeMs },
        restarted: !same && known.offset > 0,
        events: 0,
        corrupt: [],
        corruptCount: 0,
        truncatedTail: false,
      };
      if (result.restarted) sink.restart();
      const onLine = (line: string, end: number) => {
        if (line.trim() === '' || isHeader(line)) return;
        const event = parseEvent(line);
        if (event) {
          result.events++;
          sink.event(event, end);
          return;
        }
        result.corruptCount++;
        if (result.corrupt.length < MAX_CORRUPT_KEPT) result.corrupt.push(line);
      };
      result.position.offset = await readLines(handle, start, info.size, onLine);
      result.truncatedTail = result.position.offset < info.size;
      return result;
    } catch (error) {
      throw this.explain(error, 'read');
    } finally {
      await handle.close();
    }
  }

  /** The log's generation, inode and size without reading it; undefined when there is no log yet. */
  async identity(): Promise<{ generation: string; inode: number; size: number } | undefined> {
    let handle: FileHandle;
    try {
      handle = await open(this.path, 'r');
    } catch {
      return undefined;
    }
    try {
      const info = await handle.stat();
      return info.isFile() ? { generation: await readGeneration(handle, info.size), inode: info.ino, size: info.size } : undefined;
    } finally {
      await handle.close();
    }
  }

  /**
   * A checksum of the bytes just before `offset`: a saved copy of the state records it, so a log rewritten in
   * place under the same generation (restored from a backup, say) is not taken for the one it was made from.
   */
  async checksumBefore(offset: number): Promise<number> {
    const handle = await open(this.path, 'r');
    try {
      const from = Math.max(0, offset - TAIL_CHECK_BYTES);
      const bytes = Buffer.alloc(offset - from);
      const { bytesRead } = await handle.read(bytes, 0, bytes.length, from);
      return crc32(bytes.subarray(0, bytesRead));
    } finally {
      await handle.close();
    }
  }

  /** Keeps unreadable lines aside for inspection instead of dropping them silently. */
  async setAside(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    const path = join(this.dir, CORRUPT_FILE);
    const existing = new Set((await readFile(path, 'utf8').catch(() => '')).split('\n'));
    const fresh = lines.filter((l) => !existing.has(l));
    if (fresh.length > 0) await appendFile(path, fresh.map((l) => `${l}\n`).join(''));
  }

  /**
   * Replaces the log with a new generation holding `events` (temp file + rename) and returns its position.
   * Call inside `locked`, after reading everything.
   */
  async replaceLocked(events: Iterable<MemoryEvent>): Promise<LogPosition> {
    const generation = randomUUID();
    await writeFileAtomic(this.path, chunked(headerLine(generation), events));
    const handle = await open(this.path, 'r');
    try {
      const info = await handle.stat();
      return { generation, inode: info.ino, offset: info.size, size: info.size, mtimeMs: info.mtimeMs };
    } finally {
      await handle.close();
    }
  }

  /** An I/O failure as an error that names the log and says what to do. */
  private explain(error: unknown, action: string): Error {
    if (error instanceof MemoryLogError) return error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EISDIR' || code === 'ENOTDIR') return new MemoryLogError(`Cannot ${action} the memory log ${this.path}: a folder is in the way; move it aside so the store can start a new log.`, { cause: error });
    if (code === 'EACCES' || code === 'EPERM') return new MemoryLogError(`Cannot ${action} the memory log ${this.path}: permission denied; give your user read and write access to it.`, { cause: error });
    if (code === 'ENOSPC') return new MemoryLogError(`Cannot ${action} the memory log ${this.path}: the disk is full.`, { cause: error });
    return new MemoryLogError(`Cannot ${action} the memory log ${this.path}: ${(error as Error).message}`, { cause: error });
  }
}

function headerLine(generation: string): string {
  return `${JSON.stringify({ [HEADER_KEY]: 1, generation })}\n`;
}

function isHeader(line: string): boolean {
  return line.startsWith(`{"${HEADER_KEY}"`);
}

async function readGeneration(handle: FileHandle, size: number): Promise<string> {
  if (size === 0) return LEGACY_GENERATION;
  const probe = Buffer.alloc(Math.min(HEADER_PROBE_BYTES, size));
  const { bytesRead } = await handle.read(probe, 0, probe.length, 0);
  const text = probe.subarray(0, bytesRead).toString('utf8');
  const end = text.indexOf('\n');
  if (end < 0 || !isHeader(text)) return LEGACY_GENERATION;
  try {
    const header = JSON.parse(text.slice(0, end)) as { generation?: unknown };
    return typeof header.generation === 'string' ? header.generation : LEGACY_GENERATION;
  } catch {
    return LEGACY_GENERATION;
  }
}

/** Calls `onLine` for every complete line in [start, end) and returns the offset just past the last one. */
async function readLines(handle: FileHandle, start: number, end: number, onLine: (line: string, end: number) => void): Promise<number> {
  let position = start;
  let carry: Buffer = Buffer.alloc(0);
  let consumed = start;
  const chunk = Buffer.alloc(Math.min(CHUNK_BYTES, Math.max(1, end - start)));
  while (position < end) {
    const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, end - position), position);
    if (bytesRead === 0) break;
    position += bytesRead;
    const data = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
    let from = 0;
    for (let nl = data.indexOf(0x0a, from); nl >= 0; nl = data.indexOf(0x0a, from)) {
      onLine(data.toString('utf8', from, nl), consumed + nl + 1);
      from = nl + 1;
    }
    consumed += from;
    // Copy: `chunk` is reused by the next read.
    carry = Buffer.from(data.subarray(from));
  }
  return consumed;
}

function parseEvent(line: string): MemoryEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  const parsed = memoryEventSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

function* chunked(header: string, events: Iterable<MemoryEvent>): Generator<string> {
  let lines: string[] = [header];
  for (const event of events) {
    lines.push(`${JSON.stringify(event)}\n`);
    if (lines.length >= LINES_PER_WRITE) {
      yield lines.join('');
      lines = [];
    }
  }
  if (lines.length > 0) yield lines.join('');
}

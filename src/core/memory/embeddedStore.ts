import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { Logger } from '../common/logger';
import { silentLogger } from '../common/logger';
import { EMPTY_POSITION, EventLog, MemoryLogError, type LogPosition, type MemoryEvent, type ReadResult } from './eventLog';
import type { DamagedSnapshotError } from './binaryTables';
import { IndexSnapshot, type SnapshotStamp } from './indexSnapshot';
import { encodeRecords } from './savedRecords';
import { MemoryState, StagedState, type StateView } from './memoryState';
import { Listeners } from './listeners';
import { SearchIndex } from './searchIndex';
import {
  MemoryNotFoundError,
  type AddResult,
  type BackendStatus,
  type HistoryEntry,
  type ListOptions,
  type MemoryBackend,
  type MemoryChanges,
  type MemoryRecord,
  type NewMemory,
  type SearchHit,
  type SearchOptions,
} from './types';

/** Compact when the log holds this many times more events than live memories (and is big enough to matter). */
const COMPACT_RATIO = 2;
const COMPACT_MIN_EVENTS = 5000;
/** Memories indexed between two yields to the event loop while an index is built. */
const INDEX_CHUNK = 2000;
/** Save the snapshot again on dispose once this many log bytes were read on top of the saved one. */
const RESAVE_AFTER_BYTES = 1024 * 1024;
/** Smaller stores replay and index faster than a snapshot loads: they are never saved. */
const SAVE_MIN_MEMORIES = 1000;

type Operation = (state: StagedState) => { events: MemoryEvent[]; result: unknown };

/**
 * The default backend: an append-only event log in `<workspace>/.claude-pm/memory/` replayed into memory.
 * Several processes (extension, CLI) may write at once: every write catches up with the log under the store
 * lock first, so all see each other's writes and content-hash deduplication holds across them. A large store
 * is opened from the snapshot beside the log (its memories and search index as of some offset) plus the log's
 * tail; otherwise the log is replayed and the search index built only when something searches (a listing never
 * pays for it), then saved for the next process.
 */
export class EmbeddedStore implements MemoryBackend {
  readonly kind = 'embedded' as const;
  private readonly log: EventLog;
  private readonly state = new MemoryState();
  private index: SearchIndex | undefined;
  private indexing: Promise<SearchIndex> | undefined;
  /** Ids changed while an index was being built: re-indexed once it is done. */
  private readonly changedWhileIndexing = new Set<string>();
  private readonly snapshots: IndexSnapshot;
  /** What the snapshot on disk describes, once this process read or wrote it. */
  private saved: SnapshotStamp | undefined;
  private saving: Promise<void> | undefined;
  private readonly changed = new Listeners<void>();
  private readonly statusListeners = new Listeners<BackendStatus>();
  private position: LogPosition = EMPTY_POSITION;
  private eventCount = 0;
  private replaying: Promise<void> | undefined;
  private catchingUp: Promise<boolean> | undefined;
  private readonly pending: { operation: Operation; resolve: (value: unknown) => void; reject: (error: unknown) => void }[] = [];
  private draining: Promise<void> | undefined;

  constructor(
    dir: string,
    private readonly logger: Logger = silentLogger,
  ) {
    this.log = new EventLog(dir);
    this.snapshots = new IndexSnapshot(dir);
  }

  get logPath(): string {
    return this.log.path;
  }

  /** True once memories are replayed and indexed: hovers answer from then on. */
  get isLoaded(): boolean {
    return this.index !== undefined;
  }

  /** Fires after the visible memories changed (own writes or another process's, once refreshed). */
  onDidChange(listener: () => void): () => void {
    return this.changed.on(listener);
  }

  /** Replays the log and builds the search index, for lookups without I/O (hovers). */
  async load(): Promise<void> {
    await this.replay();
    await this.searchIndex();
  }

  /** Applies lines other processes appended since the last read; resolves true when anything changed. */
  async refresh(): Promise<boolean> {
    await this.replay();
    return this.catchUp();
  }

  /** All live memories, in memory; empty until loaded. No I/O. */
  snapshot(): readonly MemoryRecord[] {
    return [...this.state.values()];
  }

  /** Synchronous ranked lookup on the in-memory index (hovers): exact terms only, no I/O; empty until loaded. */
  lookup(query: string, limit: number, accept?: (m: MemoryRecord) => boolean): SearchHit[] {
    if (!this.index) return [];
    const hits = this.index.search(query, limit * 4, accept ? (id) => accept(this.state.memory(id) as MemoryRecord) : undefined, true);
    return normalise(hits.slice(0, limit), this.state);
  }

  async add(input: NewMemory, hash: string): Promise<AddResult> {
    const [result] = await this.addBatch([{ input, hash }]);
    return result as AddResult;
  }

  addBatch(items: { input: NewMemory; hash: string }[]): Promise<AddResult[]> {
    return this.commit((state) => {
      const results: AddResult[] = [];
      const events: MemoryEvent[] = [];
      for (const { input, hash } of items) {
        const known = state.idForHash(hash);
        const existing = known === undefined ? undefined : state.memory(known);
        if (existing) {
          results.push({ memory: existing, duplicate: true });
          continue;
        }
        const at = new Date().toISOString();
        const memory: MemoryRecord = {
          id: randomUUID(),
          content: input.content,
          category: input.category,
          tags: input.tags ?? [],
          metadata: input.metadata ?? {},
          ...(input.projectId ? { projectId: input.projectId } : {}),
          hash,
          createdAt: at,
          updatedAt: at,
          ...(input.nearDuplicateOf ? { nearDuplicateOf: input.nearDuplicateOf } : {}),
        };
        const event: MemoryEvent = { e: 'create', at, memory };
        // Staged at once so a later item of the same batch with the same content is a duplicate of this one.
        state.apply(event);
        events.push(event);
        results.push({ memory, duplicate: false });
      }
      return { events, result: results };
    });
  }

  async get(id: string): Promise<MemoryRecord | undefined> {
    await this.refresh();
    return this.state.memory(id);
  }

  async list(options: ListOptions): Promise<MemoryRecord[]> {
    await this.refresh();
    const out: MemoryRecord[] = [];
    for (const m of this.state.values()) if (matchesFilters(m, options)) out.push(m);
    out.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
    return options.limit ? out.slice(0, options.limit) : out;
  }

  async search(query: string, options: SearchOptions): Promise<SearchHit[]> {
    await this.refresh();
    const index = await this.searchIndex();
    const limit = options.limit ?? 10;
    // Every indexed memory is live: only filters need the records of all candidates (reading saved ones costs).
    const accept = hasFilters(options) ? (id: string) => matchesFilters(this.state.memory(id), options) : undefined;
    const hits = normalise(index.search(query, limit, accept, options.exact === true), this.state);
    return options.threshold ? hits.filter((h) => h.score >= (options.threshold as number)) : hits;
  }

  update(id: string, changes: MemoryChanges, hash: string | undefined): Promise<MemoryRecord> {
    return this.commit((state) => {
      if (!state.memory(id)) throw new MemoryNotFoundError(id);
      const event: MemoryEvent = { e: 'update', at: new Date().toISOString(), id, ...changes, ...(hash ? { hash } : {}) };
      state.apply(event);
      return { events: [event], result: state.memory(id) };
    }) as Promise<MemoryRecord>;
  }

  delete(id: string): Promise<boolean> {
    return this.commit((state) => {
      if (!state.memory(id)) return { events: [], result: false };
      const event: MemoryEvent = { e: 'delete', at: new Date().toISOString(), id };
      state.apply(event);
      return { events: [event], result: true };
    });
  }

  /** Reads the whole log: history is rare, and keeping it in memory would double the footprint. */
  async history(id: string): Promise<HistoryEntry[]> {
    const out: HistoryEntry[] = [];
    let content: string | undefined;
    const event = (event: MemoryEvent) => {
      if (event.e === 'create' && event.memory.id === id) {
        content = event.memory.content;
        out.push({ event: 'ADD', at: event.at, newContent: content });
      } else if (event.e === 'update' && event.id === id) {
        out.push({ event: 'UPDATE', at: event.at, oldContent: content, newContent: event.content ?? content });
        content = event.content ?? content;
      } else if (event.e === 'delete' && event.id === id) {
        out.push({ event: 'DELETE', at: event.at, oldContent: content });
      }
    };
    await this.log.readFrom(EMPTY_POSITION, { restart: () => undefined, event });
    return out;
  }

  /** Rewrites the log as one create event per live memory (a new generation, temp file + rename, under the lock). */
  async compact(): Promise<void> {
    await this.replay();
    await this.log.locked(async () => {
      await this.catchUp();
      await this.rewriteLocked();
    });
  }

  status(): BackendStatus {
    return { kind: 'embedded', state: 'ready', queuedWrites: 0 };
  }

  onStatusChange(listener: (status: BackendStatus) => void): () => void {
    return this.statusListeners.on(listener);
  }

  async dispose(): Promise<void> {
    await this.replaying?.catch(() => undefined);
    await this.indexing?.catch(() => undefined);
    const saved = this.saved;
    if (this.index && (!saved || saved.generation !== this.position.generation || this.position.offset - saved.offset > RESAVE_AFTER_BYTES)) this.saveSnapshot();
    await this.saving;
  }

  /**
   * The first full read of the log. A failure is reported to every caller and forgotten, so the next call
   * tries again (after the user moved a folder out of the way, say) instead of failing for ever.
   */
  private replay(): Promise<void> {
    this.replaying ??= this.open().then(
      () => undefined,
      (error: unknown) => {
        this.replaying = undefined;
        throw error;
      },
    );
    return this.replaying;
  }

  /** The snapshot's memories and index when it fits the log, then whatever the log gained since. */
  private async open(): Promise<void> {
    if (this.position.offset === 0) await this.restore();
    await this.catchUp();
  }

  /** Starts from the snapshot when it belongs to this log; anything else (missing, stale, damaged) is ignored. */
  private async restore(): Promise<void> {
    const log = await this.log.identity().catch(() => undefined);
    const snapshot = log && (await this.snapshots.read(log));
    if (!log || !snapshot) return;
    const tailCrc = await this.log.checksumBefore(snapshot.stamp.offset).catch(() => undefined);
    if (tailCrc !== snapshot.stamp.tailCrc || this.position.offset !== 0) return;
    this.state.restore(snapshot.records, (error) => this.distrust(error));
    this.index = snapshot.index;
    this.saved = snapshot.stamp;
    this.eventCount = snapshot.stamp.events;
    // Size unknown (-1): the tail after the snapshot's offset is read whatever the log's size and time now.
    this.position = { generation: log.generation, inode: log.inode, offset: snapshot.stamp.offset, size: -1, mtimeMs: 0 };
  }

  /**
   * A saved memory failed validation although the snapshot's checksum held (written by hand, or by another
   * version): the snapshot goes, and the next call reads the whole log.
   */
  private distrust(error: DamagedSnapshotError): never {
    this.reset();
    void rm(this.snapshots.path, { force: true }).catch(() => undefined);
    throw new MemoryLogError(`The saved memory snapshot ${this.snapshots.path} does not match the memory log (${error.message}); it was removed and the log is read again on the next request.`, { cause: error });
  }

  /** The search index, built on first use in chunks so the event loop stays responsive meanwhile. */
  private searchIndex(): Promise<SearchIndex> {
    if (this.index) return Promise.resolve(this.index);
    this.indexing ??= this.buildIndex().finally(() => {
      this.indexing = undefined;
    });
    return this.indexing;
  }

  /** A new index over every live memory, built in chunks, then saved for the next process. */
  private async buildIndex(): Promise<SearchIndex> {
    this.changedWhileIndexing.clear();
    const index = new SearchIndex();
    const memories = [...this.state.values()];
    for (let i = 0; i < memories.length; i += INDEX_CHUNK) {
      const end = Math.min(i + INDEX_CHUNK, memories.length);
      for (let k = i; k < end; k++) index.add(memories[k] as MemoryRecord);
      if (end < memories.length) await new Promise((r) => setImmediate(r));
    }
    for (const id of this.changedWhileIndexing) reindex(index, id, this.state);
    this.changedWhileIndexing.clear();
    this.index = index;
    this.saveSnapshot();
    this.changed.fire();
    return index;
  }

  /** Saves the memories and their index as they stand for the next process (best effort: a failure only costs a replay). */
  private saveSnapshot(): void {
    if (!this.index || this.saving || this.position.generation === '' || this.index.size < SAVE_MIN_MEMORIES) return;
    // Serialised now, so the stamp matches what the bytes hold; events applied later are past its offset. The
    // log's bytes before the offset never change within a generation, so their checksum can be taken later.
    const { generation, offset } = this.position;
    const events = this.eventCount;
    const index = this.index.save();
    const records = encodeRecords(this.state.sources());
    this.saving = this.log
      .checksumBefore(offset)
      .then(async (tailCrc) => {
        const stamp: SnapshotStamp = { generation, offset, events, tailCrc };
        await this.snapshots.write(stamp, index, records);
        this.saved = stamp;
      })
      .catch((error: unknown) => this.logger.warn(`Memory store: could not save the memory snapshot beside ${this.log.path}: ${(error as Error).message}`))
      .finally(() => {
        this.saving = undefined;
      });
  }

  /**
   * Group commit: writes queued while a commit is in flight share the next lock, append and fsync. Each
   * operation runs against the caught-up state plus what earlier operations of the batch staged (so
   * deduplication sees every process's writes); the state changes only once the batch is on disk, and
   * callers are answered then.
   */
  private commit<T>(operation: (state: StagedState) => { events: MemoryEvent[]; result: T }): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ operation, resolve: resolve as (value: unknown) => void, reject });
      this.scheduleDrain();
    });
  }

  private scheduleDrain(): void {
    if (this.draining) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      // Work queued after the loop's last check but before this point.
      if (this.pending.length > 0) this.scheduleDrain();
    });
  }

  /** Never rejects: every failure is handed to the operations it concerns, so nothing retries in a loop. */
  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.pending.length);
      try {
        await this.replay();
      } catch (error) {
        for (const item of batch) item.reject(error);
        continue;
      }
      const done: { result: unknown; resolve: (value: unknown) => void }[] = [];
      try {
        await this.log.locked(async () => {
          await this.catchUp();
          const staged = new StagedState(this.state);
          const events: MemoryEvent[] = [];
          for (const item of batch) {
            try {
              const { events: produced, result } = item.operation(staged);
              for (const event of produced) events.push(event);
              done.push({ result, resolve: item.resolve });
            } catch (error) {
              item.reject(error);
            }
          }
          if (events.length === 0) return;
          this.position = await this.log.appendLocked(events, this.position);
          for (const event of events) this.applyEvent(event);
          this.eventCount += events.length;
          if (this.eventCount > COMPACT_MIN_EVENTS && this.eventCount > this.state.size * COMPACT_RATIO) await this.rewriteLocked();
        });
      } catch (error) {
        for (const item of batch) item.reject(error);
        continue;
      }
      for (const { result, resolve } of done) resolve(result);
      if (done.length > 0) this.changed.fire();
    }
  }

  private async rewriteLocked(): Promise<void> {
    const memories = this.state.values();
    function* creates(): Generator<MemoryEvent> {
      for (const memory of memories) yield { e: 'create', at: memory.updatedAt, memory };
    }
    this.position = await this.log.replaceLocked(creates());
    this.eventCount = this.state.size;
  }

  /** One catch-up at a time: concurrent callers share the read in flight. */
  private catchUp(): Promise<boolean> {
    this.catchingUp ??= this.readNew().finally(() => {
      this.catchingUp = undefined;
    });
    return this.catchingUp;
  }

  private async readNew(): Promise<boolean> {
    const first = this.position.offset === 0;
    let read: ReadResult;
    try {
      read = await this.readLog(this.position);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      // Too many memories for one process's maps: say so instead of crashing, and keep nothing half-read.
      this.reset();
      throw new MemoryLogError(`The memory log ${this.log.path} holds more memories than one process can load (${error.message}); export part of it or split the store.`, { cause: error });
    }
    if (read.corruptCount > 0) {
      this.logger.warn(`Memory store: skipped ${read.corruptCount} unreadable ${read.corruptCount === 1 ? 'line' : 'lines'} in ${this.log.path}; they are kept in corrupt.jsonl.`);
      await this.log.setAside(read.corrupt);
    }
    if (read.truncatedTail && first) this.logger.warn(`Memory store: the last line of ${this.log.path} is incomplete (a write was cut short); it is ignored.`);
    this.position = read.position;
    const changed = read.restarted || read.events > 0;
    if (changed) this.changed.fire();
    return changed;
  }

  /** Reads from `from`; when the log turns out to be another one (compacted elsewhere), starts over from empty. */
  private readLog(from: LogPosition): Promise<ReadResult> {
    return this.log.readFrom(from, {
      restart: () => this.reset(),
      event: (event) => {
        this.applyEvent(event);
        this.eventCount++;
      },
    });
  }

  private reset(): void {
    this.state.clear();
    this.eventCount = 0;
    this.position = EMPTY_POSITION;
    if (this.index) {
      this.index = undefined;
      // Hovers were in use: bring them back once the state is rebuilt.
      queueMicrotask(() => void this.searchIndex().catch(() => undefined));
    }
  }

  private applyEvent(event: MemoryEvent): void {
    const id = this.state.apply(event);
    if (this.index) reindex(this.index, id, this.state);
    else if (this.indexing) this.changedWhileIndexing.add(id);
  }
}

function reindex(index: SearchIndex, id: string, state: StateView): void {
  const memory = state.memory(id);
  if (memory) index.add(memory);
  else index.remove(id);
}

function hasFilters(options: SearchOptions): boolean {
  return Boolean(options.category || options.projectId || options.tags?.length || options.technology);
}

export function matchesFilters(memory: MemoryRecord | undefined, options: SearchOptions & ListOptions): boolean {
  if (!memory) return false;
  if (options.category && memory.category !== options.category) return false;
  if (options.projectId && memory.projectId !== options.projectId) return false;
  if (options.tags && !options.tags.every((t) => memory.tags.includes(t))) return false;
  if (options.technology) {
    const tech = memory.metadata.technology;
    if (typeof tech !== 'string' || tech.toLowerCase() !== options.technology.toLowerCase()) return false;
  }
  return true;
}

function normalise(hits: { id: string; score: number }[], state: StateView): SearchHit[] {
  const top = hits[0]?.score ?? 1;
  const out: SearchHit[] = [];
  for (const h of hits) {
    const memory = state.memory(h.id);
    if (memory) out.push({ memory, score: Math.round((h.score / top) * 1000) / 1000 });
  }
  return out;
}

import { randomUUID } from 'node:crypto';
import type { Logger } from '../common/logger';
import { silentLogger } from '../common/logger';
import { EventLog, type MemoryEvent } from './eventLog';
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

/**
 * The default backend: an append-only event log in `<workspace>/.claude-pm/memory/` replayed into memory and
 * a search index. Several processes (extension, CLI) may write at once: every write catches up with the log
 * under the store lock first, so all see each other's writes and content-hash deduplication holds across them.
 */
export class EmbeddedStore implements MemoryBackend {
  readonly kind = 'embedded' as const;
  private readonly log: EventLog;
  private readonly memories = new Map<string, MemoryRecord>();
  private readonly byHash = new Map<string, string>();
  private readonly index = new SearchIndex();
  private readonly changed = new Listeners<void>();
  private readonly statusListeners = new Listeners<BackendStatus>();
  private offset = 0;
  private inode: number | undefined;
  private eventCount = 0;
  private loading: Promise<void> | undefined;
  private loaded = false;
  private catchingUp: Promise<boolean> | undefined;
  private readonly pending: { operation: () => { events: MemoryEvent[]; result: unknown }; resolve: (value: unknown) => void; reject: (error: unknown) => void }[] = [];
  private draining: Promise<void> | undefined;

  constructor(
    dir: string,
    private readonly logger: Logger = silentLogger,
  ) {
    this.log = new EventLog(dir);
  }

  get logPath(): string {
    return this.log.path;
  }

  /** True once the log has been replayed; before that, `snapshot` and `lookup` see nothing. */
  get isLoaded(): boolean {
    return this.loaded;
  }

  /** Fires after the visible memories changed (own writes or another process's, once refreshed). */
  onDidChange(listener: () => void): () => void {
    return this.changed.on(listener);
  }

  /** Replays the log once; later calls return the same promise. */
  load(): Promise<void> {
    this.loading ??= this.catchUp().then(() => {
      this.loaded = true;
    });
    return this.loading;
  }

  /** Applies lines other processes appended since the last read; resolves true when anything changed. */
  async refresh(): Promise<boolean> {
    await this.load();
    return this.catchUp();
  }

  /** All live memories, in memory; empty until loaded. No I/O. */
  snapshot(): readonly MemoryRecord[] {
    return [...this.memories.values()];
  }

  /** Synchronous ranked lookup on the in-memory index (hovers): exact terms only, no I/O. */
  lookup(query: string, limit: number, accept?: (m: MemoryRecord) => boolean): SearchHit[] {
    const hits = this.index.search(query, limit * 4, accept ? (id) => accept(this.memories.get(id) as MemoryRecord) : undefined, true);
    return normalise(hits.slice(0, limit), this.memories);
  }

  async add(input: NewMemory, hash: string): Promise<AddResult> {
    const [result] = await this.addBatch([{ input, hash }]);
    return result as AddResult;
  }

  addBatch(items: { input: NewMemory; hash: string }[]): Promise<AddResult[]> {
    return this.commit(() => {
      const results: AddResult[] = [];
      const events: MemoryEvent[] = [];
      const seen = new Map<string, MemoryRecord>();
      for (const { input, hash } of items) {
        const existing = seen.get(hash) ?? this.memories.get(this.byHash.get(hash) ?? '');
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
        seen.set(hash, memory);
        events.push({ e: 'create', at, memory });
        results.push({ memory, duplicate: false });
      }
      return { events, result: results };
    });
  }

  async get(id: string): Promise<MemoryRecord | undefined> {
    await this.refresh();
    return this.memories.get(id);
  }

  async list(options: ListOptions): Promise<MemoryRecord[]> {
    await this.refresh();
    const out = [...this.memories.values()].filter((m) => (!options.category || m.category === options.category) && (!options.projectId || m.projectId === options.projectId));
    out.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return options.limit ? out.slice(0, options.limit) : out;
  }

  async search(query: string, options: SearchOptions): Promise<SearchHit[]> {
    await this.refresh();
    const limit = options.limit ?? 10;
    const accept = (id: string) => matchesFilters(this.memories.get(id), options);
    const hits = normalise(this.index.search(query, limit, accept, options.exact === true), this.memories);
    return options.threshold ? hits.filter((h) => h.score >= (options.threshold as number)) : hits;
  }

  update(id: string, changes: MemoryChanges, hash: string | undefined): Promise<MemoryRecord> {
    return this.commit(() => {
      if (!this.memories.has(id)) throw new MemoryNotFoundError(id);
      const event: MemoryEvent = { e: 'update', at: new Date().toISOString(), id, ...changes, ...(hash ? { hash } : {}) };
      return { events: [event], result: () => this.memories.get(id) as MemoryRecord };
    }).then((read) => read());
  }

  delete(id: string): Promise<boolean> {
    return this.commit(() => {
      if (!this.memories.has(id)) return { events: [], result: false };
      return { events: [{ e: 'delete', at: new Date().toISOString(), id }], result: true };
    });
  }

  /** Reads the whole log: history is rare, and keeping it in memory would double the footprint. */
  async history(id: string): Promise<HistoryEntry[]> {
    const { events } = await this.log.readFrom(0);
    const out: HistoryEntry[] = [];
    let content: string | undefined;
    for (const event of events) {
      if (event.e === 'create' && event.memory.id === id) {
        content = event.memory.content;
        out.push({ event: 'ADD', at: event.at, newContent: content });
      } else if (event.e === 'update' && event.id === id) {
        out.push({ event: 'UPDATE', at: event.at, oldContent: content, newContent: event.content ?? content });
        content = event.content ?? content;
      } else if (event.e === 'delete' && event.id === id) {
        out.push({ event: 'DELETE', at: event.at, oldContent: content });
      }
    }
    return out;
  }

  /** Rewrites the log as one create event per live memory (temp file + rename, under the lock). */
  async compact(): Promise<void> {
    await this.load();
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
    await this.loading?.catch(() => undefined);
  }

  /**
   * Group commit: writes queued while a commit is in flight share the next lock, append and fsync. Each
   * operation runs against the caught-up state (so deduplication sees every process's writes) and its
   * events are applied before the next operation runs; callers are answered only once the batch is durable.
   */
  private commit<T>(operation: () => { events: MemoryEvent[]; result: T }): Promise<T> {
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

  private async drain(): Promise<void> {
    await this.load();
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.pending.length);
      const done: { result: unknown; resolve: (value: unknown) => void }[] = [];
      try {
        await this.log.locked(async () => {
          await this.catchUp();
          const events: MemoryEvent[] = [];
          for (const item of batch) {
            try {
              const { events: produced, result } = item.operation();
              for (const event of produced) this.apply(event);
              events.push(...produced);
              done.push({ result, resolve: item.resolve });
            } catch (error) {
              item.reject(error);
            }
          }
          if (events.length === 0) return;
          try {
            this.offset = await this.log.appendLocked(events);
          } catch (error) {
            // The state already holds events that never reached the disk: forget it and replay the log.
            this.reset();
            this.offset = 0;
            this.inode = undefined;
            throw error;
          }
          this.eventCount += events.length;
          if (this.eventCount > COMPACT_MIN_EVENTS && this.eventCount > this.memories.size * COMPACT_RATIO) await this.rewriteLocked();
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
    const events = [...this.memories.values()].map((memory): MemoryEvent => ({ e: 'create', at: memory.updatedAt, memory }));
    await this.log.replaceLocked(events);
    const after = await this.log.readFrom(0);
    this.offset = after.offset;
    this.inode = after.inode;
    this.eventCount = events.length;
  }

  /** One catch-up at a time: concurrent callers share the read in flight. */
  private catchUp(): Promise<boolean> {
    this.catchingUp ??= this.readNew().finally(() => {
      this.catchingUp = undefined;
    });
    return this.catchingUp;
  }

  private async readNew(): Promise<boolean> {
    const result = await this.log.readFrom(this.offset, this.inode);
    const replaced = this.inode !== undefined && result.inode !== this.inode;
    if (replaced) this.reset();
    if (result.corrupt.length > 0) {
      this.logger.warn(`Memory store: skipped ${result.corrupt.length} unreadable line(s) in ${this.log.path}; they are kept in corrupt.jsonl.`);
      await this.log.setAside(result.corrupt);
    }
    if (result.truncatedTail && !this.loaded) this.logger.warn(`Memory store: the last line of ${this.log.path} is incomplete (a write was cut short); it is ignored.`);
    const large = result.events.length > 5000;
    if (large) {
      // A big replay: apply state first, then build the index in chunks so the event loop stays responsive.
      const touched: MemoryRecord[] = [];
      for (const event of result.events) this.applyState(event);
      for (const m of this.memories.values()) touched.push(m);
      this.index.clear();
      await this.index.addAllAsync(touched);
    } else {
      for (const event of result.events) this.apply(event);
    }
    this.eventCount += result.events.length;
    this.offset = result.offset;
    this.inode = result.inode;
    const changed = replaced || result.events.length > 0;
    if (changed) this.changed.fire();
    return changed;
  }

  private reset(): void {
    this.memories.clear();
    this.byHash.clear();
    this.index.clear();
    this.eventCount = 0;
  }

  private apply(event: MemoryEvent): void {
    const id = event.e === 'create' ? event.memory.id : event.id;
    this.applyState(event);
    const memory = this.memories.get(id);
    if (memory) this.index.add(memory);
    else this.index.remove(id);
  }

  /** Applies an event to the records only; creates are idempotent, so a replayed event changes nothing. */
  private applyState(event: MemoryEvent): void {
    if (event.e === 'create') {
      const previous = this.memories.get(event.memory.id);
      if (previous) this.byHash.delete(previous.hash);
      this.memories.set(event.memory.id, event.memory);
      this.byHash.set(event.memory.hash, event.memory.id);
      return;
    }
    const current = this.memories.get(event.id);
    if (!current) return;
    if (event.e === 'delete') {
      this.memories.delete(event.id);
      if (this.byHash.get(current.hash) === event.id) this.byHash.delete(current.hash);
      return;
    }
    const next: MemoryRecord = {
      ...current,
      ...(event.content !== undefined ? { content: event.content } : {}),
      ...(event.category !== undefined ? { category: event.category } : {}),
      ...(event.tags !== undefined ? { tags: event.tags } : {}),
      ...(event.metadata !== undefined ? { metadata: event.metadata } : {}),
      ...(event.hash !== undefined ? { hash: event.hash } : {}),
      updatedAt: event.at,
    };
    if (this.byHash.get(current.hash) === event.id) this.byHash.delete(current.hash);
    this.byHash.set(next.hash, event.id);
    this.memories.set(event.id, next);
  }
}

export function matchesFilters(memory: MemoryRecord | undefined, options: SearchOptions): boolean {
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

function normalise(hits: { id: string; score: number }[], memories: Map<string, MemoryRecord>): SearchHit[] {
  const top = hits[0]?.score ?? 1;
  const out: SearchHit[] = [];
  for (const h of hits) {
    const memory = memories.get(h.id);
    if (memory) out.push({ memory, score: Math.round((h.score / top) * 1000) / 1000 });
  }
  return out;
}

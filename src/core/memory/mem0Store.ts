import { randomUUID } from 'node:crypto';
import type { Logger } from '../common/logger';
import { silentLogger } from '../common/logger';
import { redact } from '../common/redact';
import { Listeners } from './listeners';
import { LookupMirror } from './lookupMirror';
import type { Mem0Dialect, Mem0Memory } from './mem0Dialects';
import { Mem0Error, type Mem0Http } from './mem0Http';
import type { OutboxEntry } from './outbox';
import { Outbox } from './outbox';
import { LruTtlCache } from './lruTtlCache';
import { matchesFilters } from './embeddedStore';
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

/** Our fields inside mem0's `metadata`; the rest of `metadata` is the user's. */
const OWN_KEYS = ['category', 'tags', 'hash', 'project_id', 'claude_pm_id', 'near_duplicate_of'] as const;
export const PENDING_PREFIX = 'pending:';

export interface Mem0StoreOptions {
  logger?: Logger;
  /** How often queued writes are retried while the server is down. */
  replayIntervalMs?: number;
}

/**
 * A mem0 server (either dialect) as a memory backend: reads go through an LRU+TTL cache and fall back to it
 * when the server is down; writes made while it is down wait in the outbox and are replayed in order, each
 * add carrying a client id so a replay never creates a second copy.
 */
export class Mem0Store implements MemoryBackend {
  readonly kind: 'mem0' | 'mem0-platform';
  private readonly cache = new LruTtlCache<MemoryRecord[]>(200, 30_000);
  private readonly outbox: Outbox;
  private readonly logger: Logger;
  private readonly statusListeners = new Listeners<BackendStatus>();
  private readonly changed = new Listeners<void>();
  private readonly mirror = new LookupMirror();
  private lastStatus: BackendStatus;
  private replayTimer: NodeJS.Timeout | undefined;
  private replaying: Promise<void> | undefined;
  private mirrorLoad: Promise<void> | undefined;
  private readonly replayIntervalMs: number;

  constructor(
    private readonly dialect: Mem0Dialect,
    private readonly http: Mem0Http,
    dir: string,
    options: Mem0StoreOptions = {},
  ) {
    this.kind = dialect.kind;
    this.outbox = new Outbox(dir);
    this.logger = options.logger ?? silentLogger;
    this.replayIntervalMs = options.replayIntervalMs ?? 5000;
    this.lastStatus = { kind: this.kind, state: 'connected', queuedWrites: 0 };
  }

  // ---- LocalLookup: an in-memory mirror of the server's memories for hovers and counts ----

  get isLoaded(): boolean {
    return this.mirror.loaded;
  }

  load(): Promise<void> {
    this.mirrorLoad ??= this.reloadMirror().catch((error: unknown) => {
      this.mirrorLoad = undefined;
      this.logger.warn(`mem0: could not load memories for inline lookups: ${redact(String(error))}`);
    });
    return this.mirrorLoad;
  }

  lookup(query: string, limit: number, accept?: (m: MemoryRecord) => boolean): SearchHit[] {
    return this.mirror.lookup(query, limit, accept);
  }

  snapshot(): readonly MemoryRecord[] {
    return this.mirror.values();
  }

  onDidChange(listener: () => void): () => void {
    return this.changed.on(listener);
  }

  // ---- MemoryBackend ----

  async add(input: NewMemory, hash: string): Promise<AddResult> {
    // Deduplication needs the server's memories; a failed load just means no dedupe for this write.
    await this.load();
    const known = this.mirror.values().find((m) => m.hash === hash);
    if (known) return { memory: known, duplicate: true };
    const clientId = randomUUID();
    const metadata = toMetadata(input, hash, clientId);
    const at = new Date().toISOString();
    const pending: MemoryRecord = { ...fromMem0({ id: `${PENDING_PREFIX}${clientId}`, memory: input.content, metadata, created_at: at, updated_at: at }) };
    if ((await this.outbox.pending()).length === 0) {
      try {
        const id = await this.dialect.add(input.content, metadata);
        const memory = { ...pending, id };
        this.remember(memory);
        return { memory, duplicate: false };
      } catch (error) {
        if (!isRetryable(error)) throw error;
        // The request may have reached the server: replay checks the client id before sending again.
        await this.enqueue({ op: 'add', clientId, text: input.content, metadata, at, attempted: true });
      }
    } else {
      await this.enqueue({ op: 'add', clientId, text: input.content, metadata, at, attempted: false });
    }
    this.remember(pending);
    return { memory: pending, duplicate: false };
  }

  async addBatch(items: { input: NewMemory; hash: string }[]): Promise<AddResult[]> {
    const out: AddResult[] = [];
    for (const { input, hash } of items) out.push(await this.add(input, hash));
    return out;
  }

  async get(id: string): Promise<MemoryRecord | undefined> {
    if (id.startsWith(PENDING_PREFIX)) return this.mirror.get(id);
    try {
      const found = await this.dialect.get(id);
      return found ? fromMem0(found) : undefined;
    } catch (error) {
      if (isRetryable(error) && this.mirror.has(id)) return this.mirror.get(id);
      throw error;
    }
  }

  async list(options: ListOptions): Promise<MemoryRecord[]> {
    const all = await this.cached('list', async () => (await this.dialect.getAll()).map(fromMem0));
    const pending = this.mirror.values().filter((m) => m.id.startsWith(PENDING_PREFIX));
    const out = [...pending, ...all].filter((m) => matchesFilters(m, options));
    out.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return options.limit ? out.slice(0, options.limit) : out;
  }

  async search(query: string, options: SearchOptions): Promise<SearchHit[]> {
    const limit = options.limit ?? 10;
    // Ask for more than needed: our filters (category, tags…) apply to mem0's results afterwards.
    const topK = Math.min(1000, limit * (options.category || options.tags || options.technology || options.projectId ? 10 : 2));
    let records: MemoryRecord[];
    let scores: Map<string, number>;
    try {
      const raw = await this.cachedRaw(`search\n${topK}\n${query}`, () => this.dialect.search(query, topK));
      records = raw.map(fromMem0);
      scores = new Map(raw.map((m) => [m.id, m.score ?? 0]));
    } catch (error) {
      if (!isRetryable(error) || !this.mirror.loaded) throw error;
      return this.lookup(query, limit * 4, (m) => matchesFilters(m, options)).slice(0, limit);
    }
    const hits = records.filter((m) => matchesFilters(m, options)).map((memory) => ({ memory, score: scores.get(memory.id) ?? 0 }));
    const top = Math.max(...hits.map((h) => h.score), Number.EPSILON);
    const normalised = hits.map((h) => ({ memory: h.memory, score: Math.round((h.score / top) * 1000) / 1000 }));
    return normalised.filter((h) => h.score >= (options.threshold ?? 0)).slice(0, limit);
  }

  async update(id: string, changes: MemoryChanges, hash: string | undefined): Promise<MemoryRecord> {
    const current = this.mirror.get(id) ?? (await this.get(id));
    if (!current) throw new MemoryNotFoundError(id);
    const next: MemoryRecord = { ...current, ...changes, ...(hash ? { hash } : {}), updatedAt: new Date().toISOString() };
    const metadata = toMetadata(next, next.hash, String(current.metadata.claude_pm_id ?? ''));
    const text = changes.content;
    if (id.startsWith(PENDING_PREFIX)) {
      await this.amendQueuedAdd(id, (entry) => ({ ...entry, text: text ?? entry.text, metadata }));
    } else if ((await this.outbox.pending()).length > 0) {
      await this.enqueue({ op: 'update', id, ...(text !== undefined ? { text } : {}), metadata, at: next.updatedAt });
    } else {
      try {
        await this.dialect.update(id, text, metadata);
      } catch (error) {
        if (!isRetryable(error)) throw error;
        await this.enqueue({ op: 'update', id, ...(text !== undefined ? { text } : {}), metadata, at: next.updatedAt });
      }
    }
    this.remember(next);
    return next;
  }

  async delete(id: string): Promise<boolean> {
    if (id.startsWith(PENDING_PREFIX)) {
      const found = await this.amendQueuedAdd(id, () => undefined);
      this.forget(id);
      return found;
    }
    let deleted = true;
    if ((await this.outbox.pending()).length > 0) await this.enqueue({ op: 'delete', id, at: new Date().toISOString() });
    else {
      try {
        deleted = await this.dialect.delete(id);
      } catch (error) {
        if (!isRetryable(error)) throw error;
        await this.enqueue({ op: 'delete', id, at: new Date().toISOString() });
      }
    }
    this.forget(id);
    return deleted;
  }

  async history(id: string): Promise<HistoryEntry[]> {
    if (id.startsWith(PENDING_PREFIX)) return [];
    const items = await this.dialect.history(id);
    return items.map((h) => ({
      event: h.event === 'DELETE' ? 'DELETE' : h.event === 'UPDATE' ? 'UPDATE' : 'ADD',
      at: h.created_at ?? '',
      ...(h.old_memory ? { oldContent: h.old_memory } : {}),
      ...(h.new_memory ? { newContent: h.new_memory } : {}),
    }));
  }

  status(): BackendStatus {
    return this.lastStatus;
  }

  onStatusChange(listener: (status: BackendStatus) => void): () => void {
    return this.statusListeners.on(listener);
  }

  /**
   * Sends queued writes in order. Stops at the first failure that a retry could fix (the server is still
   * down); a write the server refuses outright is dropped with an error in the log so it cannot block the rest.
   */
  replay(): Promise<void> {
    this.replaying ??= this.replayQueued().finally(() => {
      this.replaying = undefined;
      this.updateStatus();
    });
    return this.replaying;
  }

  get queuedWrites(): number {
    return this.outbox.size;
  }

  async dispose(): Promise<void> {
    if (this.replayTimer) clearTimeout(this.replayTimer);
    await this.replaying?.catch(() => undefined);
    await this.http.close();
  }

  private async replayQueued(): Promise<void> {
    let serverIds: Map<string, string> | undefined;
    await this.outbox.replay(async ({ entry }) => {
      try {
        if (entry.op === 'add') {
          // A write marked attempted may have landed already (its reply lost): look for our client id first.
          if (entry.attempted) serverIds ??= new Map((await this.dialect.getAll()).map((m) => [String(m.metadata?.claude_pm_id ?? ''), m.id]));
          const id = serverIds?.get(entry.clientId) ?? (await this.dialect.add(entry.text, entry.metadata));
          const pendingId = `${PENDING_PREFIX}${entry.clientId}`;
          const pending = this.mirror.get(pendingId);
          this.forget(pendingId);
          if (pending) this.remember({ ...pending, id });
        } else if (entry.op === 'update') {
          await this.dialect.update(entry.id, entry.text, entry.metadata);
        } else {
          await this.dialect.delete(entry.id);
        }
      } catch (error) {
        if (isRetryable(error)) {
          this.scheduleReplay();
          return false;
        }
        this.logger.error(`mem0 refused a queued ${entry.op}; it is dropped: ${redact((error as Error).message)}`);
      }
      this.cache.clear();
      this.updateStatus();
      return true;
    });
  }

  private async enqueue(entry: OutboxEntry): Promise<void> {
    await this.outbox.push(entry);
    this.cache.clear();
    this.updateStatus();
    this.scheduleReplay();
  }

  private scheduleReplay(): void {
    if (this.replayTimer) return;
    this.replayTimer = setTimeout(() => {
      this.replayTimer = undefined;
      void this.replay();
    }, this.replayIntervalMs);
    this.replayTimer.unref();
  }

  private async amendQueuedAdd(pendingId: string, change: (entry: Extract<OutboxEntry, { op: 'add' }>) => OutboxEntry | undefined): Promise<boolean> {
    const clientId = pendingId.slice(PENDING_PREFIX.length);
    const found = await this.outbox.amend(
      (entry) => entry.op === 'add' && entry.clientId === clientId,
      (entry) => change(entry as Extract<OutboxEntry, { op: 'add' }>),
    );
    this.updateStatus();
    return found;
  }

  private async cached(key: string, fetch: () => Promise<MemoryRecord[]>): Promise<MemoryRecord[]> {
    const fresh = this.cache.get(key);
    if (fresh) return fresh;
    try {
      const value = await fetch();
      this.cache.set(key, value);
      this.updateStatus();
      return value;
    } catch (error) {
      this.updateStatus();
      const stale = this.cache.get(key, true);
      if (stale && isRetryable(error)) return stale;
      if (isRetryable(error) && this.mirror.loaded) return this.mirror.values();
      throw error;
    }
  }

  private readonly rawCache = new LruTtlCache<Mem0Memory[]>(200, 30_000);
  private async cachedRaw(key: string, fetch: () => Promise<Mem0Memory[]>): Promise<Mem0Memory[]> {
    const fresh = this.rawCache.get(key);
    if (fresh) return fresh;
    try {
      const value = await fetch();
      this.rawCache.set(key, value);
      return value;
    } catch (error) {
      const stale = this.rawCache.get(key, true);
      if (stale && isRetryable(error)) return stale;
      throw error;
    } finally {
      this.updateStatus();
    }
  }

  private async reloadMirror(): Promise<void> {
    const queued = await this.outbox.pending();
    const all = (await this.dialect.getAll()).map(fromMem0);
    const pending = queued.flatMap(({ entry }) => (entry.op === 'add' ? [fromMem0({ id: `${PENDING_PREFIX}${entry.clientId}`, memory: entry.text, metadata: entry.metadata, created_at: entry.at, updated_at: entry.at })] : []));
    this.mirror.replace([...all, ...pending]);
    this.cache.clear();
    this.rawCache.clear();
    this.updateStatus();
    this.changed.fire();
  }

  private remember(memory: MemoryRecord): void {
    this.mirror.put(memory);
    this.cache.clear();
    this.rawCache.clear();
    this.changed.fire();
  }

  private forget(id: string): void {
    this.mirror.remove(id);
    this.cache.clear();
    this.rawCache.clear();
    this.changed.fire();
  }

  private updateStatus(): void {
    const down = this.http.breaker.state !== 'closed';
    const next: BackendStatus = {
      kind: this.kind,
      state: down ? 'down' : 'connected',
      queuedWrites: this.outbox.size,
      ...(down ? { detail: `${this.http.baseUrl} is unreachable` } : {}),
    };
    if (next.state !== this.lastStatus.state || next.queuedWrites !== this.lastStatus.queuedWrites) {
      this.lastStatus = next;
      this.statusListeners.fire(next);
    }
  }
}

function isRetryable(error: unknown): boolean {
  return error instanceof Mem0Error && error.retryable;
}

function toMetadata(input: { category: string; tags?: string[]; metadata?: Record<string, unknown>; projectId?: string; nearDuplicateOf?: string }, hash: string, clientId: string): Record<string, unknown> {
  const user = Object.fromEntries(Object.entries(input.metadata ?? {}).filter(([k]) => !(OWN_KEYS as readonly string[]).includes(k)));
  return {
    ...user,
    category: input.category,
    tags: input.tags ?? [],
    hash,
    ...(clientId ? { claude_pm_id: clientId } : {}),
    ...(input.projectId ? { project_id: input.projectId } : {}),
    ...(input.nearDuplicateOf ? { near_duplicate_of: input.nearDuplicateOf } : {}),
  };
}

/** A mem0 memory as our record: category and tags from metadata, `general` when another client wrote it. */
export function fromMem0(m: Mem0Memory): MemoryRecord {
  const meta = m.metadata ?? {};
  const user = Object.fromEntries(Object.entries(meta).filter(([k]) => !(OWN_KEYS as readonly string[]).includes(k)));
  const tags = Array.isArray(meta.tags) ? meta.tags.map(String) : typeof meta.tags === 'string' ? meta.tags.split(/,\s*/).filter(Boolean) : [];
  const at = m.created_at ?? new Date(0).toISOString();
  return {
    id: m.id,
    content: m.memory ?? '',
    category: typeof meta.category === 'string' ? meta.category : 'project',
    tags,
    metadata: { ...user, ...(typeof meta.claude_pm_id === 'string' ? { claude_pm_id: meta.claude_pm_id } : {}) },
    ...(typeof meta.project_id === 'string' ? { projectId: meta.project_id } : {}),
    hash: typeof meta.hash === 'string' ? meta.hash : '',
    createdAt: at,
    updatedAt: m.updated_at ?? at,
    ...(typeof meta.near_duplicate_of === 'string' ? { nearDuplicateOf: meta.near_duplicate_of } : {}),
  };
}

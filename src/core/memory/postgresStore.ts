import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type pg from 'pg';
import type { Logger } from '../common/logger';
import { silentLogger } from '../common/logger';
import { shareChangeFeed, type SharedChangeFeed, type TeamChange } from '../database/changeFeed';
import { createPool, describeDatabaseError, describeDatabaseUrl, inTransaction, isUnreachable } from '../database/connection';
import { Listeners } from './listeners';
import { LookupMirror } from './lookupMirror';
import type { LocalLookup } from './memoryService';
import { Outbox, type OutboxEntry } from './outbox';
import { PostgresSearch, SEARCH_SETTINGS, memoryFilters } from './postgresSearch';
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

export interface PostgresStoreOptions {
  logger?: Logger;
  /** How often queued writes are retried while the database is unreachable. */
  replayIntervalMs?: number;
  /** Newest memories kept in memory for hovers and inline lookups (the database answers searches). */
  mirrorLimit?: number;
  poolSize?: number;
}

/** The database is unreachable: reads cannot be answered, writes are queued. */
export class DatabaseOfflineError extends Error {
  constructor(reason: string, queued: number) {
    super(`The team database is offline (${reason}); searches and lists need it. ${queued === 1 ? '1 write is' : `${queued} writes are`} queued and will be sent when it is back.`);
    this.name = 'DatabaseOfflineError';
  }
}

interface MemoryRow {
  id: string;
  content: string;
  category: string;
  tags: string[];
  metadata: Record<string, unknown>;
  project_id: string | null;
  hash: string;
  near_duplicate_of: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, content, category, tags, metadata, project_id, hash, near_duplicate_of, created_at, updated_at';
const MEMORY_COLUMNS = COLUMNS.split(', ').map((c) => `m.${c}`).join(', ');
const REPLAY_BATCH = 500;

function toRecord(row: MemoryRow): MemoryRecord {
  return {
    id: row.id,
    content: row.content,
    category: row.category,
    tags: row.tags,
    metadata: row.metadata,
    ...(row.project_id !== null ? { projectId: row.project_id } : {}),
    hash: row.hash,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    ...(row.near_duplicate_of !== null ? { nearDuplicateOf: row.near_duplicate_of } : {}),
  };
}

/**
 * A team's shared memory in PostgreSQL. Searches run in the database (BM25 over full-text matches, typo and prefix
 * replacements from a word dictionary; see postgresSearch),
 * deduplication is a unique index on the content hash, teammates' changes arrive by LISTEN/NOTIFY. Ids are chosen
 * here, so a write queued while the database is unreachable is replayed exactly once (`ON CONFLICT DO NOTHING`).
 */
export class PostgresStore implements MemoryBackend, LocalLookup {
  readonly kind = 'postgres' as const;
  private readonly logger: Logger;
  private readonly outbox: Outbox;
  private readonly statusListeners = new Listeners<BackendStatus>();
  private readonly changed = new Listeners<void>();
  private readonly mirror = new LookupMirror();
  private readonly searcher = new PostgresSearch(async <R>(sql: string, params: unknown[]) => (await this.read((pool) => pool.query(sql, params))).rows as R[]);
  private readonly feed: SharedChangeFeed;
  private readonly mirrorLimit: number;
  private readonly replayIntervalMs: number;
  private poolInstance: pg.Pool | undefined;
  private lastStatus: BackendStatus;
  private mirrorLoad: Promise<void> | undefined;
  private pendingFetch = new Set<string>();
  private fetchTimer: NodeJS.Timeout | undefined;
  private replayTimer: NodeJS.Timeout | undefined;
  private replaying: Promise<void> | undefined;
  private disposed = false;
  private outboxRead = false;

  constructor(
    private readonly url: string,
    /** The workspace's memory folder: the outbox lives in its `postgres/` subfolder. */
    dir: string,
    options: PostgresStoreOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger;
    this.outbox = new Outbox(join(dir, 'postgres'));
    this.mirrorLimit = options.mirrorLimit ?? 20_000;
    this.replayIntervalMs = options.replayIntervalMs ?? 5000;
    this.poolSize = options.poolSize ?? 4;
    this.lastStatus = { kind: 'postgres', state: 'connected', queuedWrites: 0, detail: describeDatabaseUrl(url) };
    this.feed = shareChangeFeed(url, (change) => this.onTeamChange(change), () => void this.reloadMirror(), {
      onError: (message) => this.logger.debug(`team database: listening again after: ${message}`),
    });
  }

  private readonly poolSize: number;

  private get pool(): pg.Pool {
    this.poolInstance ??= createPool(this.url, { max: this.poolSize, settings: SEARCH_SETTINGS, onError: (message) => this.logger.warn(`team database: ${message}`) });
    return this.poolInstance;
  }

  // ---- LocalLookup: the newest memories in memory, kept current by NOTIFY ----

  get isLoaded(): boolean {
    return this.mirror.loaded;
  }

  load(): Promise<void> {
    this.mirrorLoad ??= (async () => {
      await this.feed.start();
      await this.reloadMirror();
    })().catch((error: unknown) => {
      this.mirrorLoad = undefined;
      this.logger.warn(`team database: could not load memories for inline lookups: ${describeDatabaseError(error)}`);
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

  private async reloadMirror(): Promise<void> {
    const { rows } = await this.pool.query<MemoryRow>(`SELECT ${COLUMNS} FROM claude_pm_memories ORDER BY created_at DESC LIMIT $1`, [this.mirrorLimit]);
    this.mirror.replace(rows.map(toRecord));
    this.changed.fire();
  }

  private onTeamChange(change: TeamChange): void {
    if (change.table !== 'memories') return;
    if (change.op === 'DELETE') {
      this.mirror.remove(change.id);
      this.changed.fire();
      return;
    }
    // Notifications come in bursts (an import, a replay): fetch the changed rows together.
    this.pendingFetch.add(change.id);
    this.fetchTimer ??= setTimeout(() => void this.fetchChanged(), 25);
  }

  private async fetchChanged(): Promise<void> {
    this.fetchTimer = undefined;
    const ids = [...this.pendingFetch];
    this.pendingFetch.clear();
    try {
      const { rows } = await this.pool.query<MemoryRow>(`SELECT ${COLUMNS} FROM claude_pm_memories WHERE id = ANY($1::text[])`, [ids]);
      for (const row of rows) this.mirror.put(toRecord(row));
      this.changed.fire();
    } catch (error) {
      this.logger.debug(`team database: could not fetch changed memories: ${describeDatabaseError(error)}`);
    }
  }

  // ---- MemoryBackend ----

  async add(input: NewMemory, hash: string): Promise<AddResult> {
    const id = randomUUID();
    const entry: OutboxEntry = { op: 'add', clientId: id, text: input.content, metadata: queuedFields(input, hash), at: new Date().toISOString(), attempted: false };
    if ((await this.queuedWrites()) > 0) return this.queueAdd(entry, input, hash);
    try {
      return await this.insert(this.pool, id, input, hash);
    } catch (error) {
      if (!isUnreachable(error)) throw new Error(`team database: ${describeDatabaseError(error)}`, { cause: error });
      this.markDown(error);
      // The insert may have committed before the connection dropped: the replay's ON CONFLICT makes it once.
      return this.queueAdd({ ...entry, attempted: true }, input, hash);
    }
  }

  private async queueAdd(entry: OutboxEntry & { op: 'add' }, input: NewMemory, hash: string): Promise<AddResult> {
    await this.enqueue(entry);
    const at = entry.at;
    const memory: MemoryRecord = { id: entry.clientId, content: input.content, category: input.category, tags: input.tags ?? [], metadata: input.metadata ?? {}, ...(input.projectId ? { projectId: input.projectId } : {}), hash, createdAt: at, updatedAt: at };
    this.mirror.put(memory);
    return { memory, duplicate: false };
  }

  private async insert(db: pg.Pool | pg.PoolClient, id: string, input: NewMemory, hash: string, createdAt?: string): Promise<AddResult> {
    const inserted = await db.query<MemoryRow>(
      `INSERT INTO claude_pm_memories (id, content, category, tags, metadata, project_id, hash, near_duplicate_of, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, coalesce($9::timestamptz, now())) ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
      [id, input.content, input.category, input.tags ?? [], JSON.stringify(input.metadata ?? {}), input.projectId ?? null, hash, input.nearDuplicateOf ?? null, createdAt ?? null],
    );
    const row = inserted.rows[0];
    if (row) {
      const memory = toRecord(row);
      if (this.mirror.loaded) this.mirror.put(memory);
      return { memory, duplicate: false };
    }
    // Either the same content is already stored (a duplicate) or this very write was applied before (a replay).
    const existing = await db.query<MemoryRow>(`SELECT ${COLUMNS} FROM claude_pm_memories WHERE hash = $1 OR id = $2 ORDER BY (id = $2) DESC LIMIT 1`, [hash, id]);
    const found = existing.rows[0];
    if (!found) throw new Error(`team database: the memory ${id} conflicted with a row that is gone; try again`);
    return { memory: toRecord(found), duplicate: found.id !== id };
  }

  async addBatch(items: { input: NewMemory; hash: string }[]): Promise<AddResult[]> {
    const out: AddResult[] = [];
    for (const { input, hash } of items) out.push(await this.add(input, hash));
    return out;
  }

  async get(id: string): Promise<MemoryRecord | undefined> {
    const rows = await this.read((pool) => pool.query<MemoryRow>(`SELECT ${COLUMNS} FROM claude_pm_memories WHERE id = $1`, [id]));
    const row = rows.rows[0];
    return row ? toRecord(row) : this.queuedRecord(id);
  }

  async list(options: ListOptions): Promise<MemoryRecord[]> {
    const { where, params } = memoryFilters(options, 1);
    const limit = options.limit ? `LIMIT ${Math.max(1, Math.floor(options.limit))}` : '';
    const { rows } = await this.read((pool) =>
      pool.query<MemoryRow>(`SELECT ${MEMORY_COLUMNS} FROM claude_pm_memories m ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY m.created_at DESC, m.id ${limit}`, params),
    );
    return rows.map(toRecord);
  }

  async search(query: string, options: SearchOptions): Promise<SearchHit[]> {
    const limit = Math.max(1, Math.min(1000, options.limit ?? 10));
    const rows = await this.searcher.search<MemoryRow>(MEMORY_COLUMNS, query, options, limit);
    const top = Math.max(Number.EPSILON, ...rows.map((r) => r.score));
    return rows.map((row) => ({ memory: toRecord(row), score: round(row.score / top) })).filter((h) => h.score >= (options.threshold ?? 0));
  }

  async update(id: string, changes: MemoryChanges, hash: string | undefined): Promise<MemoryRecord> {
    const fields = { ...(changes.content !== undefined ? { content: changes.content } : {}), ...(changes.category !== undefined ? { category: changes.category } : {}), ...(changes.tags ? { tags: changes.tags } : {}), ...(changes.metadata ? { metadata: changes.metadata } : {}), ...(hash ? { hash } : {}) };
    const queued = this.queuedRecord(id);
    if ((await this.queuedWrites()) > 0 || queued) {
      const current = queued ?? this.mirror.get(id) ?? (await this.get(id).catch(() => undefined));
      if (!current) throw new MemoryNotFoundError(id);
      await this.enqueue({ op: 'update', id, ...(changes.content !== undefined ? { text: changes.content } : {}), metadata: fields, at: new Date().toISOString() });
      const next = { ...current, ...changes, ...(hash ? { hash } : {}), updatedAt: new Date().toISOString() };
      this.mirror.put(next);
      return next;
    }
    try {
      const row = await this.applyUpdate(this.pool, id, fields);
      if (!row) throw new MemoryNotFoundError(id);
      const memory = toRecord(row);
      if (this.mirror.loaded) this.mirror.put(memory);
      return memory;
    } catch (error) {
      if (!isUnreachable(error)) throw error instanceof MemoryNotFoundError ? error : new Error(`team database: ${describeDatabaseError(error)}`, { cause: error });
      this.markDown(error);
      const current = this.mirror.get(id);
      if (!current) throw new DatabaseOfflineError(describeDatabaseError(error), this.outbox.size);
      await this.enqueue({ op: 'update', id, metadata: fields, at: new Date().toISOString() });
      const next = { ...current, ...changes, ...(hash ? { hash } : {}), updatedAt: new Date().toISOString() };
      this.mirror.put(next);
      return next;
    }
  }

  private async applyUpdate(db: pg.Pool | pg.PoolClient, id: string, fields: Record<string, unknown>): Promise<MemoryRow | undefined> {
    const { rows } = await db.query<MemoryRow>(
      `UPDATE claude_pm_memories SET content = coalesce($2, content), category = coalesce($3, category), tags = coalesce($4::text[], tags),
         metadata = coalesce($5::jsonb, metadata), hash = coalesce($6, hash) WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, fields.content ?? null, fields.category ?? null, fields.tags ?? null, fields.metadata ? JSON.stringify(fields.metadata) : null, fields.hash ?? null],
    );
    return rows[0];
  }

  async delete(id: string): Promise<boolean> {
    if ((await this.queuedWrites()) > 0) {
      await this.enqueue({ op: 'delete', id, at: new Date().toISOString() });
      const known = this.mirror.has(id);
      this.mirror.remove(id);
      return known;
    }
    try {
      const { rowCount } = await this.pool.query('DELETE FROM claude_pm_memories WHERE id = $1', [id]);
      this.mirror.remove(id);
      return (rowCount ?? 0) > 0;
    } catch (error) {
      if (!isUnreachable(error)) throw new Error(`team database: ${describeDatabaseError(error)}`, { cause: error });
      this.markDown(error);
      await this.enqueue({ op: 'delete', id, at: new Date().toISOString() });
      const known = this.mirror.has(id);
      this.mirror.remove(id);
      return known;
    }
  }

  async history(id: string): Promise<HistoryEntry[]> {
    const memory = await this.get(id);
    const { rows } = await this.read((pool) =>
      pool.query<{ event: 'UPDATE' | 'DELETE'; at: Date; old_content: string | null; new_content: string | null }>(
        'SELECT event, at, old_content, new_content FROM claude_pm_memory_history WHERE memory_id = $1 ORDER BY seq',
        [id],
      ),
    );
    const first = rows[0];
    const created = memory ? { at: memory.createdAt, content: rows.length && first?.old_content ? first.old_content : memory.content } : first ? { at: first.at.toISOString(), content: first.old_content ?? '' } : undefined;
    const out: HistoryEntry[] = created ? [{ event: 'ADD', at: created.at, newContent: created.content }] : [];
    for (const row of rows) out.push({ event: row.event, at: row.at.toISOString(), ...(row.old_content !== null ? { oldContent: row.old_content } : {}), ...(row.new_content !== null ? { newContent: row.new_content } : {}) });
    return out;
  }

  status(): BackendStatus {
    return { ...this.lastStatus, queuedWrites: this.outbox.size };
  }

  onStatusChange(listener: (status: BackendStatus) => void): () => void {
    return this.statusListeners.on(listener);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.replayTimer) clearInterval(this.replayTimer);
    if (this.fetchTimer) clearTimeout(this.fetchTimer);
    await this.replaying?.catch(() => undefined);
    await this.feed.dispose();
    await this.poolInstance?.end().catch(() => undefined);
  }

  // ---- offline: the outbox and its replay ----

  /** Sends every queued write in order, in transactions of a few hundred; each entry is applied exactly once. */
  replay(): Promise<void> {
    this.replaying ??= this.replayQueued().finally(() => {
      this.replaying = undefined;
    });
    return this.replaying;
  }

  private async replayQueued(): Promise<void> {
    // One process replays at a time (the outbox's lock); a crash before a batch is marked done replays it again,
    // and then adds hit ON CONFLICT while updates and deletes repeat harmlessly.
    await this.outbox.replayBatches(REPLAY_BATCH, async (writes) => {
      if (this.disposed) return false;
      const batch = writes.map((w) => w.entry);
      await inTransaction(this.pool, async (client) => {
        if (!(await this.replayAdds(client, batch))) for (const entry of batch) await this.replayOne(client, entry);
      });
      return true;
    });
    if (this.outbox.size === 0) this.markUp();
  }

  /** Pending writes: read from the outbox once, then counted as this store queues and replays them. */
  private async queuedWrites(): Promise<number> {
    if (!this.outboxRead) {
      await this.outbox.pending();
      this.outboxRead = true;
    }
    return this.outbox.size;
  }

  /**
   * A batch of queued adds only (the usual outage) in one statement. False when the batch holds other writes or the
   * database refused a row, so the caller replays one by one and can drop just the refused write.
   */
  private async replayAdds(client: pg.PoolClient, batch: OutboxEntry[]): Promise<boolean> {
    const adds = batch.filter((e): e is OutboxEntry & { op: 'add' } => e.op === 'add');
    if (adds.length !== batch.length) return false;
    const memories = adds.map((e) => ({ id: e.clientId, at: e.at, hash: String(e.metadata.hash), ...fromQueuedFields(e.text, e.metadata) }));
    await client.query('SAVEPOINT queued_adds');
    try {
      await client.query(
        `INSERT INTO claude_pm_memories (id, content, category, tags, metadata, project_id, hash, near_duplicate_of, created_at)
         SELECT m.id, m.content, m.category, ARRAY(SELECT jsonb_array_elements_text(m.tags)), m.metadata, m.project_id, m.hash, m.near_duplicate_of, m.at
         FROM jsonb_to_recordset($1::jsonb) AS m(id text, content text, category text, tags jsonb, metadata jsonb, project_id text, hash text, near_duplicate_of text, at timestamptz)
         ON CONFLICT DO NOTHING`,
        [JSON.stringify(memories.map((m) => ({ id: m.id, content: m.content, category: m.category, tags: m.tags ?? [], metadata: m.metadata ?? {}, project_id: m.projectId ?? null, hash: m.hash, near_duplicate_of: m.nearDuplicateOf ?? null, at: m.at })))],
      );
      await client.query('RELEASE SAVEPOINT queued_adds');
      return true;
    } catch (error) {
      if (isUnreachable(error)) throw error;
      await client.query('ROLLBACK TO SAVEPOINT queued_adds');
      return false;
    }
  }

  private async replayOne(client: pg.PoolClient, entry: OutboxEntry): Promise<void> {
    await client.query('SAVEPOINT queued');
    try {
      if (entry.op === 'add') await this.insert(client, entry.clientId, fromQueuedFields(entry.text, entry.metadata), String(entry.metadata.hash), entry.at);
      else if (entry.op === 'update') await this.applyUpdate(client, entry.id, entry.metadata ?? {});
      else await client.query('DELETE FROM claude_pm_memories WHERE id = $1', [entry.id]);
      await client.query('RELEASE SAVEPOINT queued');
    } catch (error) {
      if (isUnreachable(error)) throw error;
      // The database refuses this one write (a permission, a changed constraint): report it and go on with the rest.
      await client.query('ROLLBACK TO SAVEPOINT queued');
      this.logger.error(`team database: a queued ${entry.op} was refused and dropped: ${describeDatabaseError(error)}`);
    }
  }

  private async enqueue(entry: OutboxEntry): Promise<void> {
    await this.outbox.push(entry);
    this.setStatus({ ...this.lastStatus, queuedWrites: this.outbox.size });
    this.replayTimer ??= setInterval(() => {
      void this.replay().catch((error: unknown) => this.markDown(error));
    }, this.replayIntervalMs);
    this.replayTimer.unref();
  }

  private queuedRecord(id: string): MemoryRecord | undefined {
    const queued = this.mirror.get(id);
    return queued && this.outbox.size > 0 ? queued : undefined;
  }

  /** Reads need the database: when it is unreachable they say so, naming the queued writes. */
  private async read<T>(query: (pool: pg.Pool) => Promise<T>): Promise<T> {
    try {
      const result = await query(this.pool);
      if (this.lastStatus.state === 'down' && this.outbox.size === 0) this.markUp();
      return result;
    } catch (error) {
      if (!isUnreachable(error)) throw new Error(`team database: ${describeDatabaseError(error)}`, { cause: error });
      this.markDown(error);
      throw new DatabaseOfflineError(describeDatabaseError(error), this.outbox.size);
    }
  }

  private markDown(error: unknown): void {
    this.setStatus({ kind: 'postgres', state: 'down', queuedWrites: this.outbox.size, detail: `offline: ${describeDatabaseError(error)}` });
  }

  private markUp(): void {
    if (this.replayTimer && this.outbox.size === 0) {
      clearInterval(this.replayTimer);
      this.replayTimer = undefined;
    }
    this.setStatus({ kind: 'postgres', state: 'connected', queuedWrites: this.outbox.size, detail: describeDatabaseUrl(this.url) });
  }

  private setStatus(status: BackendStatus): void {
    const changed = status.state !== this.lastStatus.state || status.queuedWrites !== this.lastStatus.queuedWrites || status.detail !== this.lastStatus.detail;
    this.lastStatus = status;
    if (changed) this.statusListeners.fire(this.status());
  }
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** The outbox keeps a queued add's fields beside its text (the outbox format is shared with the mem0 backend). */
function queuedFields(input: NewMemory, hash: string): Record<string, unknown> {
  return { category: input.category, tags: input.tags ?? [], metadata: input.metadata ?? {}, project_id: input.projectId ?? null, hash, near_duplicate_of: input.nearDuplicateOf ?? null };
}

function fromQueuedFields(text: string, fields: Record<string, unknown>): NewMemory {
  return {
    content: text,
    category: String(fields.category),
    tags: Array.isArray(fields.tags) ? fields.tags.map(String) : [],
    metadata: fields.metadata && typeof fields.metadata === 'object' ? (fields.metadata as Record<string, unknown>) : {},
    ...(typeof fields.project_id === 'string' ? { projectId: fields.project_id } : {}),
    ...(typeof fields.near_duplicate_of === 'string' ? { nearDuplicateOf: fields.near_duplicate_of } : {}),
  };
}

import { DamagedSnapshotError } from './binaryTables';
import type { MemoryEvent } from './eventLog';
import type { RecordSource, SavedRecords } from './savedRecords';
import type { MemoryRecord } from './types';

/** Read access to live memories by id and by content hash. */
export interface StateView {
  memory(id: string): MemoryRecord | undefined;
  idForHash(hash: string): string | undefined;
}

/** The maps an event changes; `undefined` values delete. */
interface MutableState extends StateView {
  setMemory(id: string, memory: MemoryRecord | undefined): void;
  setHash(hash: string, id: string | undefined): void;
}

/**
 * Applies one event. Creates are idempotent, so a replayed event changes nothing; events about unknown ids
 * (deleted by another process first) are ignored. Returns the id the event touched.
 */
function applyEvent(state: MutableState, event: MemoryEvent): string {
  if (event.e === 'create') {
    const previous = state.memory(event.memory.id);
    if (previous) state.setHash(previous.hash, undefined);
    state.setMemory(event.memory.id, event.memory);
    state.setHash(event.memory.hash, event.memory.id);
    return event.memory.id;
  }
  const current = state.memory(event.id);
  if (!current) return event.id;
  if (state.idForHash(current.hash) === event.id) state.setHash(current.hash, undefined);
  if (event.e === 'delete') {
    state.setMemory(event.id, undefined);
    return event.id;
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
  state.setHash(next.hash, event.id);
  state.setMemory(event.id, next);
  return event.id;
}

/**
 * The live memories: replayed from the log, or restored from a saved copy and then brought up to date. Saved
 * memories are decoded one at a time when first read, so opening a large store reads only what it shows.
 */
export class MemoryState implements MutableState {
  private readonly records = new Map<string, MemoryRecord>();
  private saved: SavedRecords | undefined;
  /** Per saved memory: 1 once decoded into `records`, changed or deleted; the others are live and unread. */
  private taken = new Uint8Array(0);
  private unread = 0;
  /** Content hash to id; built on first use after a restore (deduplication needs it, opening does not). */
  private byHash: Map<string, string> | undefined = new Map();
  private damaged: (error: DamagedSnapshotError) => never = (error) => {
    throw error;
  };

  /** Starts over from a saved copy; `damaged` is called, and the error rethrown, when a saved record fails validation. */
  restore(saved: SavedRecords, damaged: (error: DamagedSnapshotError) => never): void {
    this.clear();
    this.saved = saved;
    this.damaged = damaged;
    this.taken = new Uint8Array(saved.length);
    this.unread = saved.length;
    this.byHash = undefined;
  }

  get size(): number {
    return this.records.size + this.unread;
  }

  memory(id: string): MemoryRecord | undefined {
    return this.records.get(id) ?? this.decode(this.unreadIndex(id));
  }

  /** Every live memory (decoding all saved ones). */
  values(): IterableIterator<MemoryRecord> {
    for (let i = 0; i < this.taken.length; i++) if (this.taken[i] === 0) this.decode(i);
    return this.records.values();
  }

  /** Every live memory as a saved copy holds it: saved bytes as they are when never decoded. */
  sources(): RecordSource[] {
    const out: RecordSource[] = [];
    for (const [id, memory] of this.records) out.push({ id, hash: memory.hash, json: JSON.stringify(memory) });
    const saved = this.saved as SavedRecords;
    for (let i = 0; i < this.taken.length; i++) if (this.taken[i] === 0) out.push({ id: saved.id(i), hash: saved.hash(i), json: saved.raw(i) });
    return out;
  }

  idForHash(hash: string): string | undefined {
    return this.hashes().get(hash);
  }

  setMemory(id: string, memory: MemoryRecord | undefined): void {
    this.take(this.unreadIndex(id));
    if (memory) this.records.set(id, memory);
    else this.records.delete(id);
  }

  setHash(hash: string, id: string | undefined): void {
    // Not built yet: it will be derived from the memories as they are then.
    if (!this.byHash) return;
    if (id) this.byHash.set(hash, id);
    else this.byHash.delete(hash);
  }

  apply(event: MemoryEvent): string {
    return applyEvent(this, event);
  }

  clear(): void {
    this.records.clear();
    this.saved = undefined;
    this.taken = new Uint8Array(0);
    this.unread = 0;
    this.byHash = new Map();
  }

  /** The saved position of a live memory not read yet, or -1. */
  private unreadIndex(id: string): number {
    const i = this.saved && this.unread > 0 ? this.saved.find(id) : -1;
    return i >= 0 && this.taken[i] === 0 ? i : -1;
  }

  private take(i: number): void {
    if (i < 0) return;
    this.taken[i] = 1;
    this.unread--;
  }

  private decode(i: number): MemoryRecord | undefined {
    if (i < 0) return undefined;
    let memory: MemoryRecord;
    try {
      memory = (this.saved as SavedRecords).record(i);
    } catch (error) {
      if (error instanceof DamagedSnapshotError) this.damaged(error);
      throw error;
    }
    this.take(i);
    this.records.set(memory.id, memory);
    return memory;
  }

  private hashes(): Map<string, string> {
    if (this.byHash) return this.byHash;
    const byHash = new Map<string, string>();
    for (const [id, memory] of this.records) byHash.set(memory.hash, id);
    const saved = this.saved as SavedRecords;
    for (let i = 0; i < this.taken.length; i++) if (this.taken[i] === 0) byHash.set(saved.hash(i), saved.id(i));
    this.byHash = byHash;
    return byHash;
  }
}

/**
 * Changes staged over a state and not yet on disk: a batch's operations see each other's events here, and the
 * state itself only changes once the batch is durable (write first, then apply).
 */
export class StagedState implements MutableState {
  private readonly memories = new Map<string, MemoryRecord | undefined>();
  private readonly hashes = new Map<string, string | undefined>();

  constructor(private readonly base: StateView) {}

  memory(id: string): MemoryRecord | undefined {
    return this.memories.has(id) ? this.memories.get(id) : this.base.memory(id);
  }

  idForHash(hash: string): string | undefined {
    return this.hashes.has(hash) ? this.hashes.get(hash) : this.base.idForHash(hash);
  }

  setMemory(id: string, memory: MemoryRecord | undefined): void {
    this.memories.set(id, memory);
  }

  setHash(hash: string, id: string | undefined): void {
    this.hashes.set(hash, id);
  }

  apply(event: MemoryEvent): string {
    return applyEvent(this, event);
  }
}

import type { MemoryEvent } from './eventLog';
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

/** The live memories replayed from the log. */
export class MemoryState implements MutableState {
  readonly memories = new Map<string, MemoryRecord>();
  private readonly byHash = new Map<string, string>();

  get size(): number {
    return this.memories.size;
  }

  memory(id: string): MemoryRecord | undefined {
    return this.memories.get(id);
  }

  idForHash(hash: string): string | undefined {
    return this.byHash.get(hash);
  }

  setMemory(id: string, memory: MemoryRecord | undefined): void {
    if (memory) this.memories.set(id, memory);
    else this.memories.delete(id);
  }

  setHash(hash: string, id: string | undefined): void {
    if (id) this.byHash.set(hash, id);
    else this.byHash.delete(hash);
  }

  apply(event: MemoryEvent): string {
    return applyEvent(this, event);
  }

  clear(): void {
    this.memories.clear();
    this.byHash.clear();
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

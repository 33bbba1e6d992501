// The in-memory copy of a remote backend's memories (mem0, the team database) that hovers, counts and inline
// lookups read without a request: the records by ID and their search index, always changed together.

import { SearchIndex } from './searchIndex';
import type { MemoryRecord, SearchHit } from './types';

export class LookupMirror {
  private readonly records = new Map<string, MemoryRecord>();
  private readonly index = new SearchIndex();
  /** Whether a full copy has been read since start-up: until then the mirror knows only what was written here. */
  loaded = false;

  get(id: string): MemoryRecord | undefined {
    return this.records.get(id);
  }

  has(id: string): boolean {
    return this.records.has(id);
  }

  values(): MemoryRecord[] {
    return [...this.records.values()];
  }

  /** Replaces everything with a fresh copy of the backend's memories. */
  replace(memories: Iterable<MemoryRecord>): void {
    this.records.clear();
    this.index.clear();
    for (const memory of memories) this.put(memory);
    this.loaded = true;
  }

  put(memory: MemoryRecord): void {
    this.records.set(memory.id, memory);
    this.index.add(memory);
  }

  /** Forgets one memory; false when the mirror did not hold it. */
  remove(id: string): boolean {
    if (!this.records.delete(id)) return false;
    this.index.remove(id);
    return true;
  }

  /** The best matches, scored relative to the first (1 for the best), for hovers and quick fixes. */
  lookup(query: string, limit: number, accept?: (m: MemoryRecord) => boolean): SearchHit[] {
    const hits = this.index.search(query, limit, accept ? (id) => accept(this.records.get(id) as MemoryRecord) : undefined, true);
    const top = hits[0]?.score ?? 1;
    return hits.flatMap((h) => {
      const memory = this.records.get(h.id);
      return memory ? [{ memory, score: h.score / top }] : [];
    });
  }
}

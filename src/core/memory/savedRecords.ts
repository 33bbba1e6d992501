// The live memories saved beside the search index, so a process opening a large store replays only the log's
// tail: each record stays encoded until something reads it, and is checked against the schema then.

import { DamagedSnapshotError, Reader, stringTable, type StringTable } from './binaryTables';
import { compareStrings } from './termPostings';
import { memoryRecordSchema, type MemoryRecord } from './types';

export interface RecordSource {
  id: string;
  hash: string;
  /** The record as JSON: kept as saved bytes when it was never read, so saving again costs no serialisation. */
  json: string | Uint8Array;
}

/** Sorted by id, so a process finds a saved memory by binary search instead of building a map of them all. */
export function encodeRecords(unsorted: readonly RecordSource[]): Buffer {
  const records = [...unsorted].sort((a, b) => compareStrings(a.id, b.id));
  const count = Uint32Array.of(records.length);
  const parts = [new Uint8Array(count.buffer), ...stringTable(records.map((r) => r.id)), ...stringTable(records.map((r) => r.hash)), ...stringTable(records.map((r) => r.json))];
  return Buffer.concat(parts);
}

export class SavedRecords {
  private constructor(
    private readonly ids: StringTable,
    private readonly hashes: StringTable,
    private readonly texts: StringTable,
  ) {}

  static decode(bytes: Buffer): SavedRecords {
    const reader = new Reader(bytes);
    const count = reader.words(1)[0] as number;
    const records = new SavedRecords(reader.table(count), reader.table(count), reader.table(count));
    if (!reader.atEnd) throw new DamagedSnapshotError('trailing bytes');
    // The order is not checked (that would decode every id, which it is there to avoid): out of order, lookups
    // only miss, as ids are compared exactly.
    return records;
  }

  /** The position of the memory with this id, or -1. */
  find(id: string): number {
    let lo = 0;
    let hi = this.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ids.text(mid) < id) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.ids.length && this.ids.text(lo) === id ? lo : -1;
  }

  get length(): number {
    return this.ids.length;
  }

  id(i: number): string {
    return this.ids.text(i);
  }

  hash(i: number): string {
    return this.hashes.text(i);
  }

  raw(i: number): Buffer {
    return this.texts.raw(i);
  }

  /** The record, validated as a log line is: saved bytes are workspace content, never trusted. */
  record(i: number): MemoryRecord {
    let value: unknown;
    try {
      value = JSON.parse(this.texts.text(i));
    } catch {
      throw new DamagedSnapshotError(`saved memory ${i} is not JSON`);
    }
    const parsed = memoryRecordSchema.safeParse(value);
    if (!parsed.success || parsed.data.id !== this.id(i) || parsed.data.hash !== this.hash(i)) throw new DamagedSnapshotError(`saved memory ${i} does not match its id`);
    return parsed.data;
  }
}

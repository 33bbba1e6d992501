// Building blocks of the saved-snapshot layouts: 32-bit words and string tables, read back with every length
// checked against the bytes actually there.

/** Saved bytes that do not hold together: the caller rebuilds from the log instead. */
export class DamagedSnapshotError extends Error {}

/** Offsets, then the UTF-8 bytes of every entry (padded to a word); entries already encoded are used as they are. */
export function stringTable(strings: readonly (string | Uint8Array)[]): Uint8Array[] {
  const encoded = strings.map((s) => (typeof s === 'string' ? Buffer.from(s, 'utf8') : s));
  const offsets = new Uint32Array(strings.length + 1);
  encoded.forEach((b, i) => (offsets[i + 1] = (offsets[i] as number) + b.length));
  const total = offsets[strings.length] as number;
  return [bytesOf(offsets), ...encoded, new Uint8Array((4 - (total % 4)) % 4)];
}

export function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** Reads words and string tables in order, refusing any length that runs past the end. */
export class Reader {
  private at = 0;
  private readonly bytes: Buffer;

  constructor(bytes: Buffer) {
    // Typed-array views need 4-byte alignment; bytes sliced from a larger read may lack it.
    this.bytes = bytes.byteOffset % 4 === 0 ? bytes : Buffer.from(bytes);
  }

  get atEnd(): boolean {
    return this.at === this.bytes.length;
  }

  words(count: number): Uint32Array {
    const end = this.at + count * 4;
    if (!Number.isSafeInteger(end) || end > this.bytes.length) throw new DamagedSnapshotError('cut short');
    const view = new Uint32Array(this.bytes.buffer, this.bytes.byteOffset + this.at, count);
    this.at = end;
    return view;
  }

  strings(count: number): string[] {
    const table = this.table(count);
    return Array.from({ length: count }, (_, i) => table.text(i));
  }

  /** A string table left encoded, for entries read one at a time and only when needed. */
  table(count: number): StringTable {
    const offsets = this.words(count + 1);
    const total = offsets[count] as number;
    const from = this.at;
    if (offsets[0] !== 0 || from + total > this.bytes.length) throw new DamagedSnapshotError('cut short');
    for (let i = 0; i < count; i++) if ((offsets[i + 1] as number) < (offsets[i] as number)) throw new DamagedSnapshotError('string table out of order');
    this.at = from + total + ((4 - (total % 4)) % 4);
    if (this.at > this.bytes.length) throw new DamagedSnapshotError('cut short');
    return new StringTable(this.bytes.subarray(from, from + total), offsets);
  }
}

export class StringTable {
  constructor(
    private readonly bytes: Buffer,
    private readonly offsets: Uint32Array,
  ) {}

  get length(): number {
    return this.offsets.length - 1;
  }

  text(i: number): string {
    return this.bytes.toString('utf8', this.offsets[i], this.offsets[i + 1]);
  }

  raw(i: number): Buffer {
    return this.bytes.subarray(this.offsets[i], this.offsets[i + 1]);
  }
}

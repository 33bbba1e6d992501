// The binary layout of a saved search index: little-endian 32-bit words, loaded with one read into typed-array
// views (no object per posting). Everything in it is checked before use, as a workspace may ship any bytes.
//
//   "CPMI" version docCount termCount groupCount postingCount
//   ids:    offsets[docCount + 1], UTF-8 bytes (padded to 4)
//   fieldLengths[docCount * FIELD_COUNT]
//   docGroup[docCount] (group number + 1, 0 for none)
//   groups: offsets[groupCount + 1], UTF-8 bytes (padded)
//   terms:  offsets[termCount + 1], UTF-8 bytes (padded), sorted
//   start[termCount * FIELD_COUNT + 1], docs[postingCount], tfs[postingCount]

import { FIELD_COUNT, type FrozenPostings } from './termPostings';

const MAGIC = 0x494d5043; // "CPMI" read as a little-endian word
/** Bump when the layout or the term pipeline changes: older files are then rebuilt, never misread. */
export const POSTINGS_FORMAT_VERSION = 2;

/** A saved index that does not hold together: the caller rebuilds it. */
export class DamagedIndexError extends Error {}

export function encodePostings(frozen: FrozenPostings): Buffer {
  const groupNumbers = new Map<string, number>();
  const docGroup = new Uint32Array(frozen.ids.length);
  frozen.groups.forEach((group, doc) => {
    if (group === undefined) return;
    if (!groupNumbers.has(group)) groupNumbers.set(group, groupNumbers.size);
    docGroup[doc] = (groupNumbers.get(group) as number) + 1;
  });
  const ids = stringTable(frozen.ids);
  const groups = stringTable([...groupNumbers.keys()]);
  const terms = stringTable(frozen.terms);
  const header = Uint32Array.of(MAGIC, POSTINGS_FORMAT_VERSION, frozen.ids.length, frozen.terms.length, groupNumbers.size, frozen.docs.length);
  return Buffer.concat([header, ...ids, frozen.fieldLengths, docGroup, ...groups, ...terms, frozen.start, frozen.docs, frozen.tfs].map(bytesOf));
}

export function decodePostings(buffer: Buffer): FrozenPostings {
  // Typed-array views need 4-byte alignment; a buffer sliced from a larger read may lack it.
  const bytes = buffer.byteOffset % 4 === 0 ? buffer : Buffer.from(buffer);
  const reader = new Reader(bytes);
  const [magic, version, docCount, termCount, groupCount, postingCount] = reader.words(6);
  if (magic !== MAGIC || version !== POSTINGS_FORMAT_VERSION) throw new DamagedIndexError('not a saved index of this version');
  const ids = reader.strings(docCount as number);
  const fieldLengths = reader.words((docCount as number) * FIELD_COUNT);
  const docGroup = reader.words(docCount as number);
  const groupNames = reader.strings(groupCount as number);
  const terms = reader.strings(termCount as number);
  const start = reader.words((termCount as number) * FIELD_COUNT + 1);
  const docs = reader.words(postingCount as number);
  const tfs = reader.words(postingCount as number);
  if (!reader.atEnd) throw new DamagedIndexError('trailing bytes');
  if (new Set(ids).size !== ids.length) throw new DamagedIndexError('duplicate document ids');
  for (let i = 1; i < terms.length; i++) if (!((terms[i - 1] as string) < (terms[i] as string))) throw new DamagedIndexError('terms out of order');
  if (start[0] !== 0 || start[start.length - 1] !== postingCount) throw new DamagedIndexError('postings out of range');
  for (let i = 1; i < start.length; i++) if ((start[i] as number) < (start[i - 1] as number)) throw new DamagedIndexError('postings out of order');
  for (const doc of docs) if (doc >= (docCount as number)) throw new DamagedIndexError('posting of an unknown document');
  const groups = Array.from(docGroup, (g) => {
    if (g > groupNames.length) throw new DamagedIndexError('unknown group');
    return g === 0 ? undefined : groupNames[g - 1];
  });
  return { ids, groups, fieldLengths, terms, start, docs, tfs };
}

function stringTable(strings: readonly string[]): Uint8Array[] {
  const encoded = strings.map((s) => Buffer.from(s, 'utf8'));
  const offsets = new Uint32Array(strings.length + 1);
  encoded.forEach((b, i) => (offsets[i + 1] = (offsets[i] as number) + b.length));
  const total = offsets[strings.length] as number;
  return [bytesOf(offsets), ...encoded, new Uint8Array((4 - (total % 4)) % 4)];
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** Reads words and string tables in order, refusing any length that runs past the end. */
class Reader {
  private at = 0;

  constructor(private readonly bytes: Buffer) {}

  get atEnd(): boolean {
    return this.at === this.bytes.length;
  }

  words(count: number): Uint32Array {
    const end = this.at + count * 4;
    if (!Number.isSafeInteger(end) || end > this.bytes.length) throw new DamagedIndexError('cut short');
    const view = new Uint32Array(this.bytes.buffer, this.bytes.byteOffset + this.at, count);
    this.at = end;
    return view;
  }

  strings(count: number): string[] {
    const offsets = this.words(count + 1);
    const total = offsets[count] as number;
    const from = this.at;
    if (offsets[0] !== 0 || from + total > this.bytes.length) throw new DamagedIndexError('cut short');
    const out = new Array<string>(count);
    for (let i = 0; i < count; i++) {
      const a = offsets[i] as number;
      const b = offsets[i + 1] as number;
      if (b < a || b > total) throw new DamagedIndexError('string table out of order');
      out[i] = this.bytes.toString('utf8', from + a, from + b);
    }
    this.at = from + total + ((4 - (total % 4)) % 4);
    if (this.at > this.bytes.length) throw new DamagedIndexError('cut short');
    return out;
  }
}

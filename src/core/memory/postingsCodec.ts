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

import { bytesOf, DamagedSnapshotError, Reader, stringTable } from './binaryTables';
import { FIELD_COUNT, type FrozenPostings } from './termPostings';

const MAGIC = 0x494d5043; // "CPMI" read as a little-endian word
/** Bump when the layout or the term pipeline changes: older files are then rebuilt, never misread. */
export const POSTINGS_FORMAT_VERSION = 3;

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
  const reader = new Reader(buffer);
  const [magic, version, docCount, termCount, groupCount, postingCount] = reader.words(6);
  if (magic !== MAGIC || version !== POSTINGS_FORMAT_VERSION) throw new DamagedSnapshotError('not a saved index of this version');
  const ids = reader.strings(docCount as number);
  const fieldLengths = reader.words((docCount as number) * FIELD_COUNT);
  const docGroup = reader.words(docCount as number);
  const groupNames = reader.strings(groupCount as number);
  const terms = reader.strings(termCount as number);
  const start = reader.words((termCount as number) * FIELD_COUNT + 1);
  const docs = reader.words(postingCount as number);
  const tfs = reader.words(postingCount as number);
  if (!reader.atEnd) throw new DamagedSnapshotError('trailing bytes');
  for (let i = 1; i < terms.length; i++) if (!((terms[i - 1] as string) < (terms[i] as string))) throw new DamagedSnapshotError('terms out of order');
  if (start[0] !== 0 || start[start.length - 1] !== postingCount) throw new DamagedSnapshotError('postings out of range');
  for (let i = 1; i < start.length; i++) if ((start[i] as number) < (start[i - 1] as number)) throw new DamagedSnapshotError('postings out of order');
  for (let i = 0; i < docs.length; i++) if ((docs[i] as number) >= (docCount as number)) throw new DamagedSnapshotError('posting of an unknown document');
  const groups = Array.from(docGroup, (g) => {
    if (g > groupNames.length) throw new DamagedSnapshotError('unknown group');
    return g === 0 ? undefined : groupNames[g - 1];
  });
  return { ids, groups, fieldLengths, terms, start, docs, tfs };
}

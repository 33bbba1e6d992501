import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { writeFileAtomic } from '../common/atomicFile';
import { POSTINGS_FORMAT_VERSION } from './postingsCodec';
import { SavedRecords } from './savedRecords';
import { SearchIndex } from './searchIndex';

const SNAPSHOT_FILE = 'index.snapshot';
/** The header line is short; anything longer is not one of ours. */
const HEADER_MAX_BYTES = 1024;

/** Which log state a snapshot describes. */
export interface SnapshotStamp {
  generation: string;
  /** The log offset it had read up to. */
  offset: number;
  /** Events in the log up to `offset` (when to compact). */
  events: number;
  /** `EventLog.checksumBefore(offset)` when it was made. */
  tailCrc: number;
}

interface Header extends SnapshotStamp {
  v: number;
  indexBytes: number;
  recordBytes: number;
  crc32: number;
}

export interface Snapshot {
  index: SearchIndex;
  records: SavedRecords;
  stamp: SnapshotStamp;
}

/**
 * The live memories and their search index saved beside the log (a JSON header line, then both in binary), so
 * a process opens a large store by reading one file and the log's tail. It is a cache, never the truth: it is
 * used only for the log generation it was made from, when the log still holds the bytes it was made from,
 * and only when its length, checksum and structure hold; every memory is validated when first read.
 */
export class IndexSnapshot {
  readonly path: string;

  constructor(dir: string) {
    this.path = join(dir, SNAPSHOT_FILE);
  }

  /** The snapshot when it belongs to the log generation `generation` of `size` bytes; undefined when missing, stale or damaged. */
  async read(log: { generation: string; size: number }): Promise<Snapshot | undefined> {
    if (log.generation === '') return undefined;
    let data: Buffer;
    try {
      data = await readFile(this.path);
    } catch {
      return undefined;
    }
    const end = data.subarray(0, HEADER_MAX_BYTES).indexOf(0x0a);
    if (end < 0) return undefined;
    try {
      const header = JSON.parse(data.toString('utf8', 0, end)) as Partial<Header>;
      if (header.v !== POSTINGS_FORMAT_VERSION || header.generation !== log.generation) return undefined;
      const { offset, events, tailCrc, indexBytes, recordBytes } = header;
      if (typeof offset !== 'number' || offset > log.size || typeof events !== 'number' || typeof tailCrc !== 'number') return undefined;
      if (typeof indexBytes !== 'number' || typeof recordBytes !== 'number') return undefined;
      const payload = data.subarray(end + 1);
      if (payload.length !== indexBytes + recordBytes || crc32(payload) !== header.crc32) return undefined;
      return {
        index: SearchIndex.load(payload.subarray(0, indexBytes)),
        records: SavedRecords.decode(payload.subarray(indexBytes)),
        stamp: { generation: header.generation, offset, events, tailCrc },
      };
    } catch {
      return undefined;
    }
  }

  async write(stamp: SnapshotStamp, index: Buffer, records: Buffer): Promise<void> {
    const payload = Buffer.concat([index, records]);
    const header: Header = { v: POSTINGS_FORMAT_VERSION, ...stamp, indexBytes: index.length, recordBytes: records.length, crc32: crc32(payload) };
    const line = JSON.stringify(header);
    // Padded so the payload starts on a 4-byte boundary, where it can be read in place (no copy).
    const padding = ' '.repeat((4 - ((Buffer.byteLength(line) + 1) % 4)) % 4);
    await writeFileAtomic(this.path, Buffer.concat([Buffer.from(`${line}${padding}\n`), payload]));
  }
}

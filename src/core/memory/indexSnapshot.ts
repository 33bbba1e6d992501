import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { writeFileAtomic } from '../common/atomicFile';
import type { LogPosition } from './eventLog';
import { POSTINGS_FORMAT_VERSION } from './postingsCodec';
import { SearchIndex } from './searchIndex';

const SNAPSHOT_FILE = 'index.snapshot';
/** The header line is short; anything longer is not one of ours. */
const HEADER_MAX_BYTES = 1024;

/** Which log state a saved index describes: the log generation and the offset it had read up to. */
export interface SnapshotStamp {
  generation: string;
  offset: number;
}

interface Header extends SnapshotStamp {
  v: number;
  bytes: number;
  crc32: number;
}

/**
 * The search index saved beside the log (a JSON header line, then the binary index), so a process can open a
 * large store without indexing every memory again. It is a cache, never the truth: it is used only for the log
 * generation it was made from, up to the offset it names (the caller re-indexes what changed after it), and
 * only when its length, checksum and structure hold.
 */
export class IndexSnapshot {
  readonly path: string;

  constructor(dir: string) {
    this.path = join(dir, SNAPSHOT_FILE);
  }

  /** The saved index when it belongs to the log at `position`; undefined when missing, stale or damaged. */
  async read(position: LogPosition): Promise<{ index: SearchIndex; stamp: SnapshotStamp } | undefined> {
    if (position.generation === '') return undefined;
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
      if (header.v !== POSTINGS_FORMAT_VERSION || header.generation !== position.generation) return undefined;
      if (typeof header.offset !== 'number' || header.offset > position.offset) return undefined;
      const payload = data.subarray(end + 1);
      if (payload.length !== header.bytes || crc32(payload) !== header.crc32) return undefined;
      return { index: SearchIndex.load(payload), stamp: { generation: header.generation, offset: header.offset } };
    } catch {
      return undefined;
    }
  }

  async write(stamp: SnapshotStamp, saved: Buffer): Promise<void> {
    const header: Header = { v: POSTINGS_FORMAT_VERSION, ...stamp, bytes: saved.length, crc32: crc32(saved) };
    const line = JSON.stringify(header);
    // Padded so the index starts on a 4-byte boundary, where it can be read in place (no copy).
    const padding = ' '.repeat((4 - ((Buffer.byteLength(line) + 1) % 4)) % 4);
    await writeFileAtomic(this.path, Buffer.concat([Buffer.from(`${line}${padding}\n`), saved]));
  }
}

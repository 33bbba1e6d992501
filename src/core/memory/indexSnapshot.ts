import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../common/atomicFile';
import type { LogPosition } from './eventLog';
import { SearchIndex } from './searchIndex';

const SNAPSHOT_FILE = 'index.snapshot';

/** Which log state a saved index describes: the log generation and the offset it had read up to. */
export interface SnapshotStamp {
  generation: string;
  offset: number;
}

interface Header extends SnapshotStamp {
  v: number;
  sha256: string;
}

/**
 * The search index saved beside the log, so a process can open a large store without indexing every memory
 * again. It is a cache, never the truth: it is used only for the log generation it was made from, up to the
 * offset it names (the caller re-indexes what changed after it), and only when its checksum holds.
 */
export class IndexSnapshot {
  readonly path: string;

  constructor(dir: string) {
    this.path = join(dir, SNAPSHOT_FILE);
  }

  /** The saved index when it belongs to the log at `position`; undefined when missing, stale or damaged. */
  async read(position: LogPosition): Promise<{ index: SearchIndex; stamp: SnapshotStamp } | undefined> {
    if (position.generation === '') return undefined;
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch {
      return undefined;
    }
    const end = text.indexOf('\n');
    if (end < 0) return undefined;
    try {
      const header = JSON.parse(text.slice(0, end)) as Partial<Header>;
      if (header.v !== SearchIndex.SNAPSHOT_VERSION || header.generation !== position.generation) return undefined;
      if (typeof header.offset !== 'number' || header.offset > position.offset) return undefined;
      const payload = text.slice(end + 1);
      if (digest(payload) !== header.sha256) return undefined;
      return { index: new SearchIndex(payload), stamp: { generation: header.generation, offset: header.offset } };
    } catch {
      return undefined;
    }
  }

  async write(stamp: SnapshotStamp, saved: string): Promise<void> {
    const header: Header = { v: SearchIndex.SNAPSHOT_VERSION, ...stamp, sha256: digest(saved) };
    await writeFileAtomic(this.path, [`${JSON.stringify(header)}\n`, saved]);
  }
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

// Each ticket file's parse result, keyed by path, size and mtime as git's index keys its entries, kept in the
// user's cache folder (never in the workspace, whose content is untrusted) so that a warm `tickets list` reads
// only the files that changed. Never the source of truth: a file whose size or mtime differs is read again, and
// a cache that cannot be read, is of another reader version or of another root is ignored and rewritten.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../common/atomicFile';
import type { ParsedFile } from './model';
import { READER_VERSION } from './reader';

interface Entry {
  size: number;
  mtimeMs: number;
  parsed: ParsedFile;
}

interface CacheFile {
  reader: number;
  root: string;
  entries: [path: string, size: number, mtimeMs: number, parsed: ParsedFile][];
}

// A file changed twice within the clock's resolution can keep its size and mtime ("racy git"): entries this young
// when the cache is saved are left out and read again next time.
const RACY_MS = 1_000;

/** The cache folder for parse results: `$CLAUDE_PM_CACHE_DIR`, else the XDG cache home; none without either or a HOME. */
export function ticketCacheDir(env: NodeJS.ProcessEnv): string | undefined {
  if (env.CLAUDE_PM_CACHE_DIR) return join(env.CLAUDE_PM_CACHE_DIR, 'tickets');
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'claude-pm', 'tickets');
  return env.HOME ? join(env.HOME, '.cache', 'claude-pm', 'tickets') : undefined;
}

export class TicketParseCache {
  private readonly entries: Map<string, Entry>;
  private changed = false;

  private constructor(
    private readonly root: string,
    private readonly file: string,
    entries: Map<string, Entry>,
  ) {
    this.entries = entries;
  }

  /** The cache of one ticket root, empty when there is none yet or it cannot be trusted. */
  static async open(root: string, cacheDir: string): Promise<TicketParseCache> {
    const file = join(cacheDir, `${createHash('sha256').update(root).digest('hex').slice(0, 24)}.json`);
    const entries = new Map<string, Entry>();
    try {
      const data = JSON.parse(await readFile(file, 'utf8')) as CacheFile;
      if (data.reader === READER_VERSION && data.root === root && Array.isArray(data.entries)) {
        for (const [path, size, mtimeMs, parsed] of data.entries) entries.set(path, { size, mtimeMs, parsed });
      }
    } catch {
      // No cache yet, or an unreadable one: it is rebuilt on save.
    }
    return new TicketParseCache(root, file, entries);
  }

  /** The stored result for a file, when its size and mtime are still those it was parsed at. */
  lookup(path: string, size: number, mtimeMs: number): ParsedFile | undefined {
    const entry = this.entries.get(path);
    return entry && entry.size === size && entry.mtimeMs === mtimeMs ? entry.parsed : undefined;
  }

  store(path: string, size: number, mtimeMs: number, parsed: ParsedFile): void {
    this.entries.set(path, { size, mtimeMs, parsed });
    this.changed = true;
  }

  /** Forgets files that are gone. */
  keepOnly(paths: ReadonlySet<string>): void {
    for (const path of this.entries.keys()) {
      if (!paths.has(path)) {
        this.entries.delete(path);
        this.changed = true;
      }
    }
  }

  /** Writes the cache when something changed; a failure only costs the next run its speed. */
  async save(now = Date.now()): Promise<void> {
    if (!this.changed) return;
    const entries: CacheFile['entries'] = [];
    for (const [path, e] of this.entries) if (now - e.mtimeMs >= RACY_MS) entries.push([path, e.size, e.mtimeMs, e.parsed]);
    const data: CacheFile = { reader: READER_VERSION, root: this.root, entries };
    try {
      await writeFileAtomic(this.file, JSON.stringify(data));
      this.changed = false;
    } catch {
      // A read-only or full cache folder: tickets still read, only slower.
    }
  }
}

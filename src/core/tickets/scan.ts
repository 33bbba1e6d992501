// Reads every markdown file under a ticket root: nested folders (completed/, archive/, PR status folders) included.

import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ParsedFile } from './model';
import type { TicketParseCache } from './parseCache';
import { MAX_TICKET_FILE_BYTES, parseTicketFile, toRelPath } from './reader';

// Folders that never hold tickets: tool state, templates (YAML), dependencies.
const SKIPPED_DIRS = new Set(['node_modules', 'templates']);

// A ticket tree is shallow (type folder, status or archive folder, comment folder) and small: these bounds keep a
// root named by mistake (`--root /`, a home folder) from walking a whole disk.
const MAX_DEPTH = 5;
const MAX_FOLDERS = 10_000;

/** Every `.md` file under `root`, sorted so that results (and "first of a duplicate") are stable. */
export async function listTicketFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  let folders = 0;
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (++folders > MAX_FOLDERS) return;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    // A name read from a folder holds no separator, so `join` would only prepend this: one join per folder instead
    // of one per file (normalising ten thousand paths is a tenth of a warm list).
    const prefix = join(dir, '_').slice(0, -1);
    const subdirs: string[] = [];
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name) && depth < MAX_DEPTH) subdirs.push(prefix + entry.name);
      } else if (entry.isFile() && entry.name.endsWith('.md')) out.push(prefix + entry.name);
    }
    await Promise.all(subdirs.map((sub) => walk(sub, depth + 1)));
  };
  await walk(root, 0);
  return out.sort();
}

// One buffer for every read: files are read synchronously in short batches (far faster than the thread pool
// for thousands of small files), with a yield between batches so the host stays responsive.
const buffer = Buffer.allocUnsafe(MAX_TICKET_FILE_BYTES + 1);
const BATCH = 200;

/** Reads and parses one file; a file that cannot be read becomes a diagnosed failure, never an exception. */
export function readTicketFile(path: string, root: string): ParsedFile | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR') return undefined;
    return unreadable(path, root, (error as Error).message);
  }
  try {
    let length = 0;
    for (;;) {
      const wanted = buffer.length - length;
      const n = readSync(fd, buffer, length, wanted, null);
      length += n;
      if (length > MAX_TICKET_FILE_BYTES) return unreadable(path, root, `file is larger than ${MAX_TICKET_FILE_BYTES / 1024 / 1024} MB; skipped`);
      // A short read of a regular file means end of file: saves a second read call per file.
      if (n === 0 || n < wanted) break;
    }
    return parseTicketFile(buffer.toString('utf8', 0, length), path, root);
  } catch (error) {
    return unreadable(path, root, (error as Error).message);
  } finally {
    closeSync(fd);
  }
}

/** Reads every ticket file under `root`; with a parse cache, only the files whose size or mtime changed. */
export async function scanTicketTree(root: string, cache?: TicketParseCache): Promise<ParsedFile[]> {
  const files = await listTicketFiles(root);
  const results: ParsedFile[] = [];
  for (let i = 0; i < files.length; i++) {
    const parsed = cache ? readThroughCache(files[i], root, cache) : readTicketFile(files[i], root);
    if (parsed) results.push(parsed);
    if (i % BATCH === BATCH - 1) await new Promise((resolve) => setImmediate(resolve));
  }
  if (cache) {
    cache.keepOnly(new Set(files));
    await cache.save();
  }
  return results;
}

function readThroughCache(path: string, root: string, cache: TicketParseCache): ParsedFile | undefined {
  // Stat before reading: a file that changes in between is stored with its older stat and so read again next time.
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return undefined;
  const cached = cache.lookup(path, stat.size, stat.mtimeMs);
  if (cached) return cached;
  const parsed = readTicketFile(path, root);
  if (parsed) cache.store(path, stat.size, stat.mtimeMs, parsed);
  return parsed;
}

function unreadable(path: string, root: string, message: string): ParsedFile {
  return { kind: 'malformed', path, relPath: toRelPath(root, path), diagnostics: [{ file: path, message, severity: 'error' }] };
}

// Reads every markdown file under a ticket root: nested folders (completed/, archive/, PR status folders) included.

import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ParsedFile } from './model';
import { MAX_TICKET_FILE_BYTES, parseTicketFile, toRelPath } from './reader';

// Folders that never hold tickets: tool state, templates (YAML), dependencies.
const SKIPPED_DIRS = new Set(['node_modules', 'templates']);
const READ_CONCURRENCY = 32;

/** Every `.md` file under `root`, sorted so that results (and "first of a duplicate") are stable. */
export async function listTicketFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    const subdirs: string[] = [];
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) subdirs.push(join(dir, entry.name));
      } else if (entry.isFile() && entry.name.endsWith('.md')) out.push(join(dir, entry.name));
    }
    await Promise.all(subdirs.map(walk));
  };
  await walk(root);
  return out.sort();
}

/** Reads and parses one file; a file that cannot be read becomes a diagnosed failure, never an exception. */
export async function readTicketFile(path: string, root: string): Promise<ParsedFile | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return unreadable(path, root, (error as Error).message);
  }
  try {
    const { size } = await handle.stat();
    if (size > MAX_TICKET_FILE_BYTES) return unreadable(path, root, `file is larger than ${MAX_TICKET_FILE_BYTES / 1024 / 1024} MB; skipped`);
    return parseTicketFile(await handle.readFile('utf8'), path, root);
  } catch (error) {
    return unreadable(path, root, (error as Error).message);
  } finally {
    await handle.close();
  }
}

export async function scanTicketTree(root: string): Promise<ParsedFile[]> {
  const files = await listTicketFiles(root);
  const results: (ParsedFile | undefined)[] = new Array(files.length);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      results[i] = await readTicketFile(files[i], root);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, files.length) }, worker));
  return results.filter((r): r is ParsedFile => r !== undefined);
}

function unreadable(path: string, root: string, message: string): ParsedFile {
  return { kind: 'malformed', path, relPath: toRelPath(root, path), diagnostics: [{ file: path, message, severity: 'error' }] };
}

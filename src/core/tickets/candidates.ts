// Every folder of a workspace that holds ai-trackdown tickets, with its ticket count. Real repositories keep
// tickets where their config does not point (a stale `tasks_directory`, a second tree under `tickets/`, type
// folders under `.ai-trackdown/`): the root resolver compares these counts so that no tree goes unnoticed.

import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { isInside, realpathNearest } from '../common/containedPath';
import { idFromFileName, type ParsedFile } from './model';
import { TicketParseCache } from './parseCache';
import { scanTicketTree } from './scan';

/** A folder that could be the ticket root, and how many tickets (comments aside) it holds. */
export interface RootCandidate {
  root: string;
  /** Relative to the workspace, with forward slashes; `.` for the workspace itself. */
  relPath: string;
  tickets: number;
}

// Folder names both tools use for ticket types: their parent is a ticket root.
const TYPE_FOLDERS = new Set(['epics', 'issues', 'tasks', 'prs', 'bugs']);
// The conventional roots of both tools, and where ai-trackdown keeps its own state.
const CONVENTIONAL = ['tasks', 'tickets', '.ai-trackdown'];
// Folders that never hold a project's tickets, and are often huge.
const NEVER = new Set(['node_modules', 'dist', 'build', 'out', 'vendor', 'target', 'coverage', 'venv', '__pycache__']);
const MAX_DEPTH = 4;
// Bounds on the folders looked at, so that a vast monorepo costs milliseconds, not seconds.
const MAX_FOLDERS = 2_000;

/**
 * The scans of ticket trees made while resolving a root, kept so that the index reuses them instead of reading
 * every file twice; with a cache folder, each tree reads through its parse cache.
 */
export class TreeScans {
  private readonly scans = new Map<string, Promise<ParsedFile[]>>();

  constructor(private readonly cacheDir?: string) {}

  scan(root: string): Promise<ParsedFile[]> {
    let scan = this.scans.get(root);
    if (!scan) this.scans.set(root, (scan = this.read(root)));
    return scan;
  }

  private async read(root: string): Promise<ParsedFile[]> {
    const cache = this.cacheDir ? await TicketParseCache.open(root, this.cacheDir) : undefined;
    return scanTicketTree(root, cache);
  }
}

/** The candidate roots of a workspace (plus `extra` folders, such as a configured root), most tickets first. */
export async function findRootCandidates(workspaceRoot: string, extra: readonly string[] = [], scans = new TreeScans()): Promise<RootCandidate[]> {
  const folders = new Set<string>([...CONVENTIONAL.map((name) => join(workspaceRoot, name)), ...extra]);
  for (const folder of await discoverTicketFolders(workspaceRoot)) folders.add(folder);
  const candidates: RootCandidate[] = [];
  const realWorkspace = await realpathNearest(workspaceRoot);
  for (const root of folders) {
    // A conventional folder may be a link out of the workspace (`tickets -> ~/elsewhere`): never read through it.
    if (!extra.includes(root) && !isInside(realWorkspace, await realpathNearest(root))) continue;
    const tickets = countTickets(await scans.scan(root));
    if (tickets > 0 || extra.includes(root)) candidates.push({ root, relPath: relPathOf(workspaceRoot, root), tickets });
  }
  return candidates.sort((a, b) => b.tickets - a.tickets || a.relPath.localeCompare(b.relPath));
}

export function countTickets(files: readonly ParsedFile[]): number {
  let n = 0;
  for (const file of files) if (file.kind === 'ticket' && file.ticket.type !== 'comment') n++;
  return n;
}

/**
 * Folders that hold files named like tickets (`ISS-0042-….md`), rolled up to a plausible root: the parent of a
 * type folder (`tickets/issues` → `tickets`), else the top-level folder they sit in (`examples/lifecycle` →
 * `examples`). Whether they carry ticket frontmatter is for the scan to tell.
 */
async function discoverTicketFolders(workspaceRoot: string): Promise<string[]> {
  const found = new Set<string>();
  let visited = 0;
  let level = [workspaceRoot];
  for (let depth = 1; depth <= MAX_DEPTH && level.length > 0; depth++) {
    const next: string[] = [];
    for (const dir of level) {
      for (const name of await subfolders(dir)) {
        if (NEVER.has(name) || (name.startsWith('.') && name !== '.ai-trackdown')) continue;
        if (++visited > MAX_FOLDERS) return [...found];
        const path = join(dir, name);
        if (await holdsTicketNamedFiles(path)) found.add(TYPE_FOLDERS.has(name) && dir !== workspaceRoot ? dir : topLevelFolder(workspaceRoot, path));
        next.push(path);
      }
    }
    level = next;
  }
  return [...found];
}

async function holdsTicketNamedFiles(dir: string): Promise<boolean> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.some((e) => e.isFile() && e.name.endsWith('.md') && idFromFileName(e.name) !== undefined);
  } catch {
    return false;
  }
}

function topLevelFolder(workspaceRoot: string, path: string): string {
  return join(workspaceRoot, relative(workspaceRoot, path).split(sep)[0]);
}

async function subfolders(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
}

function relPathOf(workspaceRoot: string, path: string): string {
  const rel = relative(workspaceRoot, path);
  if (rel === '') return '.';
  return sep === '/' ? rel : rel.split(sep).join('/');
}

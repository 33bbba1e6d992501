import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { isRunId } from '../common/runId';
import { CONFIG_DIR } from '../config/loadConfig';
import { filterDrivers, untrustedGit } from '../common/untrustedGit';

// A checkpoint of the working tree before an agent runs, and another after, as commits on a private ref
// (`refs/claude-pm/checkpoints/<run-id>`, so `git gc` keeps them). Each snapshot goes through a temporary copy of
// the index: the user's index, HEAD, branch and files are never touched. Untracked files are included, ignored
// files are not, nor is `.claude-pm/`. The difference between the two trees is what the run changed.

export const CHECKPOINT_REF_PREFIX = 'refs/claude-pm/checkpoints/';
const OBJECT_ID = /^[0-9a-f]{40,64}$/;
/** The run-record list of changed files stops here; the trees still hold every change. */
export const MAX_LISTED_FILES = 1000;
const IDENTITY = { GIT_AUTHOR_NAME: 'Claude PM', GIT_AUTHOR_EMAIL: 'claude-pm@localhost', GIT_COMMITTER_NAME: 'Claude PM', GIT_COMMITTER_EMAIL: 'claude-pm@localhost' };

export type ChangeKind = 'added' | 'modified' | 'deleted';

/** A file's content in one snapshot: its blob and git mode (100644, 100755, 120000 for a symbolic link). */
export interface BlobRef {
  oid: string;
  mode: string;
}

export interface ChangedFile {
  /** Relative to the workspace, with `/` separators. */
  path: string;
  change: ChangeKind;
  before?: BlobRef;
  after?: BlobRef;
}

/** What a run record keeps: the two snapshot commits and the files between them, or why there is none. */
export interface RunCheckpoint {
  before?: string;
  after?: string;
  files?: ChangedFile[];
  /** More files changed than the record lists. */
  filesTotal?: number;
  /** Why no checkpoint was taken (not a git repository, git missing…). */
  unavailable?: string;
}

/** The ref a run's checkpoint lives under; anything but a run id is refused. */
export function checkpointRef(runId: string): string {
  if (!isRunId(runId) || runId.endsWith('.lock')) throw new Error(`'${runId}' is not a run id`);
  return `${CHECKPOINT_REF_PREFIX}${runId}`;
}

/**
 * Records the working tree under `root` before a run. Never throws: outside a git repository, or when git fails,
 * the checkpoint says why there is none.
 */
export async function beginCheckpoint(root: string, runId: string): Promise<RunCheckpoint> {
  try {
    const repo = await openRepository(root);
    if (!repo) return { unavailable: 'not a git repository' };
    const before = await repo.snapshot(`claude-pm checkpoint before run ${runId}`);
    await repo.git.raw(['update-ref', '-m', 'claude-pm checkpoint', checkpointRef(runId), before]);
    return { before };
  } catch (error) {
    return { unavailable: `no checkpoint: ${firstLine(error)}` };
  }
}

/**
 * Records the working tree after the run (or after a continuation of it) and what changed since `before`. The
 * `after` commit has `before` as parent, so the one ref keeps both.
 */
export async function finishCheckpoint(root: string, runId: string, checkpoint: RunCheckpoint): Promise<RunCheckpoint> {
  if (!checkpoint.before) return checkpoint;
  try {
    const repo = await openRepository(root);
    if (!repo) return { ...checkpoint, unavailable: 'the folder is no longer a git repository' };
    const after = await repo.snapshot(`claude-pm checkpoint after run ${runId}`, checkpoint.before);
    await repo.git.raw(['update-ref', '-m', 'claude-pm checkpoint', checkpointRef(runId), after]);
    const files = await repo.changes(checkpoint.before, after);
    return { before: checkpoint.before, after, files: files.slice(0, MAX_LISTED_FILES), ...(files.length > MAX_LISTED_FILES ? { filesTotal: files.length } : {}) };
  } catch (error) {
    return { ...checkpoint, unavailable: `no checkpoint after the run: ${firstLine(error)}` };
  }
}

/** Every file that changed between the checkpoint's snapshots, read from git (not from the run record). */
export async function checkpointChanges(root: string, checkpoint: RunCheckpoint): Promise<ChangedFile[]> {
  const { before, after } = completeCheckpoint(checkpoint);
  const repo = await openRepository(root);
  if (!repo) throw new Error(`${root} is not a git repository`);
  return repo.changes(before, after);
}

/** The top folder of the repository `root` is in, and `root`'s path below it (`''` at the top, else ending in `/`). */
export async function repositoryPlace(root: string): Promise<{ top: string; prefix: string }> {
  const [top = '', prefix = ''] = (await untrustedGit(root).raw(['rev-parse', '--show-toplevel', '--show-prefix'])).split('\n');
  return { top, prefix };
}

/** The content of a blob of the repository at `root`. */
export async function readBlob(root: string, oid: string): Promise<Buffer> {
  if (!OBJECT_ID.test(oid)) throw new Error(`'${oid}' is not an object id`);
  return untrustedGit(root).binaryCatFile(['blob', oid]);
}

/** The contents of many blobs with one git process (`cat-file --batch`), by object id. */
export async function readBlobs(root: string, oids: readonly string[]): Promise<Map<string, Buffer>> {
  const wanted = [...new Set(oids)];
  const blobs = new Map<string, Buffer>();
  if (!wanted.length) return blobs;
  for (const oid of wanted) if (!OBJECT_ID.test(oid)) throw new Error(`'${oid}' is not an object id`);
  const out = await untrustedGit(root, { input: `${wanted.join('\n')}\n` }).binaryCatFile(['--batch']);
  // Each object: `<oid> <type> <size>\n<content>\n`; a missing one is `<oid> missing\n`.
  let at = 0;
  while (at < out.length) {
    const headerEnd = out.indexOf(0x0a, at);
    if (headerEnd < 0) break;
    const [oid, type, size] = out.subarray(at, headerEnd).toString('latin1').split(' ');
    at = headerEnd + 1;
    if (type === 'missing' || size === undefined) continue;
    blobs.set(oid!, out.subarray(at, at + Number(size)));
    at += Number(size) + 1;
  }
  return blobs;
}

/** Deletes the checkpoint refs beyond the newest `keep` (by snapshot time); returns the run ids removed. */
export async function pruneCheckpoints(root: string, keep: number): Promise<string[]> {
  const git = untrustedGit(root);
  const out = await git.raw(['for-each-ref', '--sort=-committerdate', '--format=%(refname)', CHECKPOINT_REF_PREFIX]);
  const stale = out.split('\n').filter(Boolean).slice(Math.max(0, keep));
  for (const ref of stale) await git.raw(['update-ref', '-d', ref]);
  return stale.map((ref) => ref.slice(CHECKPOINT_REF_PREFIX.length));
}

/** A checkpoint with both snapshots, or an error saying what is missing. */
export function completeCheckpoint(checkpoint: RunCheckpoint | undefined): { before: string; after: string } {
  if (!checkpoint?.before) throw new Error(checkpoint?.unavailable ? `The run has no checkpoint (${checkpoint.unavailable}).` : 'The run has no checkpoint.');
  if (!checkpoint.after) throw new Error('The run has no checkpoint of its end (it is still running, or stopped before one was taken).');
  for (const oid of [checkpoint.before, checkpoint.after]) if (!OBJECT_ID.test(oid)) throw new Error(`'${oid}' is not a commit id`);
  return { before: checkpoint.before, after: checkpoint.after };
}

interface Repository {
  git: ReturnType<typeof untrustedGit>;
  snapshot(message: string, parent?: string): Promise<string>;
  changes(before: string, after: string): Promise<ChangedFile[]>;
}

/** The repository `root` is in (undefined when it is in none), with `root`'s place in it. */
async function openRepository(root: string): Promise<Repository | undefined> {
  const git = untrustedGit(root);
  let info: string;
  // Both at once: outside a repository the filter list is simply empty.
  const drivers = filterDrivers(root);
  try {
    info = await git.raw(['rev-parse', '--is-inside-work-tree', '--show-prefix', '--git-path', 'index']);
  } catch (error) {
    if (/not a git repository/i.test(firstLine(error))) return undefined;
    throw error;
  }
  const [inside, prefix = '', indexPath = ''] = info.split('\n');
  if (inside?.trim() !== 'true') return undefined;
  const index = isAbsolute(indexPath) ? indexPath : resolve(root, indexPath);
  return {
    git,
    snapshot: async (message, parent) => snapshot(root, index, await drivers, message, parent),
    changes: (before, after) => changes(git, prefix, before, after),
  };
}

/** Adds the working tree to a copy of the index and commits its tree; the real index is only read. */
async function snapshot(root: string, index: string, drivers: string[], message: string, parent?: string): Promise<string> {
  const temp = await mkdtemp(join(tmpdir(), 'claude-pm-checkpoint-'));
  const tempIndex = join(temp, 'index');
  try {
    // A copy keeps the index's file times, so `add` only reads files that changed; a new repository has no index.
    await copyFile(index, tempIndex).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    const git = untrustedGit(root, { env: { GIT_INDEX_FILE: tempIndex, ...IDENTITY }, filterDrivers: drivers });
    // `.` keeps the snapshot to the workspace when it is a folder inside a larger repository. Claude PM's own
    // folder (run records, logs, the audit trail) changes during every run and is never the run's work to undo.
    await git.raw(['add', '--all', '--ignore-errors', '--', '.', `:(exclude)${CONFIG_DIR}`]);
    const tree = (await git.raw(['write-tree'])).trim();
    const commit = await git.raw(['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', message]);
    return commit.trim();
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/** Files added, modified and deleted between two snapshots, relative to the workspace. Submodules are left out. */
async function changes(git: ReturnType<typeof untrustedGit>, prefix: string, before: string, after: string): Promise<ChangedFile[]> {
  const relative = prefix.trim() ? [`--relative=${prefix.trim()}`] : [];
  const out = await git.raw(['diff-tree', '-r', '-z', '--raw', '--no-renames', '--no-ext-diff', '--no-textconv', '--abbrev=64', ...relative, before, after]);
  const parts = out.split('\0');
  const files: ChangedFile[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const meta = /^:(\d{6}) (\d{6}) ([0-9a-f]+) ([0-9a-f]+) ([A-Z])/.exec(parts[i]!);
    const path = parts[i + 1]!;
    if (!meta) continue;
    const [, oldMode, newMode, oldOid, newOid, status] = meta as unknown as [string, string, string, string, string, string];
    if (oldMode === '160000' || newMode === '160000') continue;
    const beforeRef = status === 'A' ? undefined : { oid: oldOid, mode: oldMode };
    const afterRef = status === 'D' ? undefined : { oid: newOid, mode: newMode };
    files.push({ path, change: status === 'A' ? 'added' : status === 'D' ? 'deleted' : 'modified', ...(beforeRef ? { before: beforeRef } : {}), ...(afterRef ? { after: afterRef } : {}) });
  }
  return files;
}

function firstLine(error: unknown): string {
  return ((error as Error)?.message ?? String(error)).trim().split('\n')[0] ?? '';
}

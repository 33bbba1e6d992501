import { createHash } from 'node:crypto';
import { lstat, mkdir, readFile, readlink, rename, rm, symlink, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from '../common/atomicFile';
import { containedPath } from '../common/containedPath';
import { checkpointChanges, readBlobs, type BlobRef, type ChangedFile, type RunCheckpoint } from './checkpoint';

// Puts back what a run changed: each file the run added, modified or deleted returns to its content before the
// run (a file the run created is deleted). A file changed again since the run ended is left alone unless the
// caller says to overwrite it. Nothing else in the workspace is touched, and every path stays inside it.

export type FileState = 'as_left' | 'changed_since';

export interface RevertItem {
  file: ChangedFile;
  /** `changed_since`: the file is no longer what the run left (edited, deleted or recreated since). */
  state: FileState;
}

export interface RevertOutcome {
  restored: string[];
  removed: string[];
  /** Files left alone, with the reason. */
  skipped: { path: string; reason: string }[];
}

/** What a revert would do, file by file, with the files changed since the run ended marked. */
export async function planRevert(root: string, checkpoint: RunCheckpoint): Promise<RevertItem[]> {
  const files = await checkpointChanges(root, checkpoint);
  return Promise.all(files.map(async (file) => ({ file, state: (await matches(root, file.path, file.after)) ? 'as_left' : 'changed_since' }) satisfies RevertItem));
}

/** Restores the run's files to their content before it; `force` also overwrites files changed since. */
export async function revertRun(root: string, checkpoint: RunCheckpoint, options: { force?: boolean } = {}): Promise<RevertOutcome> {
  const plan = await planRevert(root, checkpoint);
  const outcome: RevertOutcome = { restored: [], removed: [], skipped: [] };
  const contents = await readBlobs(root, plan.filter((p) => p.file.before && (p.state === 'as_left' || options.force)).map((p) => p.file.before!.oid));
  for (const { file, state } of plan) {
    if (state === 'changed_since' && !options.force) {
      outcome.skipped.push({ path: file.path, reason: 'changed since the run ended' });
      continue;
    }
    try {
      if (file.before) {
        const content = contents.get(file.before.oid);
        if (!content) throw new Error('its content from before the run is missing from the repository');
        await restore(root, file.path, file.before, content);
        outcome.restored.push(file.path);
      } else {
        if (await remove(root, file.path)) outcome.removed.push(file.path);
      }
    } catch (error) {
      outcome.skipped.push({ path: file.path, reason: (error as Error).message });
    }
  }
  return outcome;
}

/** The file's place in the workspace: its folder resolved (no symbolic link may lead out), its name as written. */
async function placeOf(root: string, path: string): Promise<string> {
  const dir = dirname(path);
  const realDir = dir === '.' ? await containedPath(root, '.', 'checkpoint') : await containedPath(root, dir, 'checkpoint');
  return join(realDir, basename(path));
}

/** Whether the file on disk is the blob `ref` (absent when `ref` is undefined); a symbolic link is read, not followed. */
async function matches(root: string, path: string, ref: BlobRef | undefined): Promise<boolean> {
  let place: string;
  try {
    place = await placeOf(root, path);
  } catch {
    return false;
  }
  const stat = await lstat(place).catch(() => undefined);
  if (!ref) return stat === undefined;
  if (!stat) return false;
  const isLink = ref.mode === '120000';
  if (isLink !== stat.isSymbolicLink() || (!isLink && !stat.isFile())) return false;
  const content = isLink ? Buffer.from(await readlink(place, { encoding: 'buffer' })) : await readFile(place);
  return blobId(content, ref.oid.length === 64 ? 'sha256' : 'sha1') === ref.oid;
}

/** Git's object id of a blob with `content`. */
export function blobId(content: Buffer, algorithm: 'sha1' | 'sha256' = 'sha1'): string {
  return createHash(algorithm).update(`blob ${content.length}\0`).update(content).digest('hex');
}

async function restore(root: string, path: string, ref: BlobRef, content: Buffer): Promise<void> {
  await mkdir(dirname(await placeOf(root, path)), { recursive: true });
  // Resolved again after creating folders: one of them may have been a link the run left behind.
  const place = await placeOf(root, path);
  const existing = await lstat(place).catch(() => undefined);
  if (existing?.isDirectory()) throw new Error('a folder now stands where the file was');
  if (ref.mode === '120000') {
    // A link is replaced through a rename, like a file: readers never see it missing.
    const temp = join(dirname(place), `.${basename(place)}.${process.pid}.link.tmp`);
    await rm(temp, { force: true });
    await symlink(content.toString('utf8'), temp);
    await rename(temp, place);
    return;
  }
  await writeFileAtomic(place, content, { mode: ref.mode === '100755' ? 0o755 : 0o644 });
}

/** Deletes a file or link the run created; a folder in its place is left alone. */
async function remove(root: string, path: string): Promise<boolean> {
  const place = await placeOf(root, path);
  const stat = await lstat(place).catch(() => undefined);
  if (!stat) return false;
  if (stat.isDirectory()) throw new Error('a folder now stands where the file was');
  await unlink(place);
  return true;
}

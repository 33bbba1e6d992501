import { join } from 'node:path';
import { untrustedGit } from '../common/untrustedGit';
import type { RunIsolation } from './runner';
import { COMMITTER, findRepository, ISOLATION_BRANCH_PREFIX } from './worktreeIsolation';

// What the user does with an isolated run's branch afterwards: review its changes against the commit it started
// from, apply it (merge into the current branch, conflicts left in git's usual state for the merge editor) or
// discard it (delete the branch). The branch and base come from a run record in the workspace, so both are checked
// before git sees them.

export type ChangeKind = 'added' | 'modified' | 'deleted' | 'type_changed';

export interface BranchChange {
  kind: ChangeKind;
  /** Relative to the repository root, with `/` separators. */
  path: string;
}

export type ApplyOutcome = { status: 'merged'; commit: string } | { status: 'conflicts'; conflicts: string[] };

const KINDS: Record<string, ChangeKind> = { A: 'added', M: 'modified', D: 'deleted', T: 'type_changed' };

/** Throws unless `isolation` names a Claude PM branch and a full commit id, as the runner records them. */
export function checkIsolationRecord(isolation: Pick<RunIsolation, 'branch' | 'base'>): void {
  const { branch, base } = isolation;
  const component = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
  const parts = branch.startsWith(ISOLATION_BRANCH_PREFIX) ? branch.slice(ISOLATION_BRANCH_PREFIX.length).split('/') : [];
  if (parts.length !== 2 || !parts.every((p) => component.test(p) && !p.includes('..') && !p.endsWith('.lock'))) throw new Error(`'${branch}' is not a branch of an isolated run`);
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(base)) throw new Error(`'${base}' is not a commit id`);
}

/** Whether the branch still exists in the repository around `cwd`. */
export async function branchExists(cwd: string, branch: string): Promise<boolean> {
  const { root } = await findRepository(cwd);
  const out = await untrustedGit(root)
    .raw(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`])
    .catch(() => '');
  return out.trim() !== '';
}

/** The files the branch changed since its base. */
export async function branchChanges(cwd: string, isolation: Pick<RunIsolation, 'branch' | 'base'>): Promise<BranchChange[]> {
  checkIsolationRecord(isolation);
  const { root } = await findRepository(cwd);
  const out = await untrustedGit(root).raw(['diff', '--name-status', '-z', '--no-renames', isolation.base, `refs/heads/${isolation.branch}`, '--']);
  const fields = out.split('\0');
  const changes: BranchChange[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) changes.push({ kind: KINDS[fields[i]!] ?? 'modified', path: fields[i + 1]! });
  return changes;
}

/** The patch of the branch against its base, as `git diff` prints it (no external diff or text conversion programs). */
export async function branchPatch(cwd: string, isolation: Pick<RunIsolation, 'branch' | 'base'>): Promise<string> {
  checkIsolationRecord(isolation);
  const { root } = await findRepository(cwd);
  return untrustedGit(root).raw(['diff', '--no-ext-diff', '--no-textconv', '--no-color', isolation.base, `refs/heads/${isolation.branch}`, '--']);
}

/** A file's content at a commit or branch; undefined when it does not exist there. */
export async function fileAt(cwd: string, revision: string, path: string): Promise<string | undefined> {
  // `revision:path` names the path from the repository's top wherever git runs in it; a repository without a commit
  // yet still has checkpoint commits.
  return untrustedGit(cwd)
    .raw(['cat-file', 'blob', `${revision}:${path}`])
    .catch(() => undefined);
}

/**
 * Merges the branch into the current branch of the repository around `cwd`. On conflicts the merge stays in progress,
 * as `git merge` leaves it, and the conflicted files are returned (absolute paths) for the merge editor.
 */
export async function applyBranch(cwd: string, isolation: Pick<RunIsolation, 'branch' | 'base'>): Promise<ApplyOutcome> {
  checkIsolationRecord(isolation);
  const { root } = await findRepository(cwd);
  const git = untrustedGit(root);
  // The merge commit is the user's; a repository that knows no user signs it as Claude PM rather than failing.
  const known = (await git.raw(['config', '--get', 'user.email']).catch(() => '')).trim() !== '';
  // A conflicted merge exits 1 with its report on stdout only, which the git client does not count as an error.
  const failure = await git.raw([...(known ? [] : COMMITTER), 'merge', '--no-edit', '--no-gpg-sign', '-m', `Apply ${isolation.branch}`, `refs/heads/${isolation.branch}`]).then(
    () => undefined,
    (error: Error) => error,
  );
  const conflicted = (await git.raw(['diff', '--name-only', '-z', '--diff-filter=U'])).split('\0').filter(Boolean);
  if (conflicted.length) return { status: 'conflicts', conflicts: conflicted.map((p) => join(root, p)) };
  if (failure) throw new Error(`could not merge ${isolation.branch}: ${failure.message.trim()}`);
  return { status: 'merged', commit: (await git.raw(['rev-parse', 'HEAD'])).trim() };
}

/** Deletes the branch (and the changes only it holds). */
export async function discardBranch(cwd: string, isolation: Pick<RunIsolation, 'branch' | 'base'>): Promise<void> {
  checkIsolationRecord(isolation);
  const { root } = await findRepository(cwd);
  try {
    await untrustedGit(root).raw(['branch', '--delete', '--force', isolation.branch]);
  } catch (error) {
    throw new Error(`could not delete ${isolation.branch}: ${(error as Error).message.trim()}`);
  }
}

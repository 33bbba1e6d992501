import { createHash } from 'node:crypto';
import { mkdir, realpath, rm, rmdir, stat } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { SimpleGit } from 'simple-git';
import { filterDrivers, untrustedGit } from '../common/untrustedGit';
import { processAlive } from '../common/processAlive';
import { ProcessesBlockedError } from '../common/processGate';
import type { AgentRunner, DiffStat, RunIsolation, RunRequest, RunResult } from './runner';

// `isolation: worktree`: an agent step works in its own git worktree, on a new branch `claude-pm/<run>/<step>`
// made from HEAD, so parallel steps never see each other's files and the user's branch, index and working tree
// stay as they are. When the step ends (also failed, cancelled or timed out) everything it changed is committed on
// that branch and the worktree is removed. Worktrees live in the temp folder, outside the workspace, locked with the
// owning process, so a crashed run's worktree is committed and removed by the next isolated run in that repository.

export const ISOLATION_BRANCH_PREFIX = 'claude-pm/';

/** The identity of the commits Claude PM makes. */
export const COMMITTER: readonly string[] = ['-c', 'user.name=Claude PM', '-c', 'user.email=claude-pm@localhost'];
const MAX_COMPONENT_CHARS = 60;
const LOCK_PREFIX = 'claude-pm';

/** Isolation is not possible here (no repository, no commit); the message says what to do. */
export class IsolationError extends Error {
  override name = 'IsolationError';
}

export interface IsolationTarget {
  runId: string;
  step: string;
}

export interface Repository {
  /** The work tree's top folder. */
  root: string;
  /** The `.git` folder every worktree of the repository shares. */
  commonDir: string;
  /** The commit HEAD points at. */
  head: string;
  /** Clean/smudge filter drivers its config names: switched off whenever we check out or commit. */
  filters: string[];
}

export interface IsolatedWorktree {
  repository: Repository;
  path: string;
  branch: string;
  /** Where the agent runs: the worktree's copy of the folder the run was started in. */
  cwd: string;
}

/**
 * `name` as one component of a git ref: only letters, digits, `.`, `_` and `-`, no `..`, no leading or trailing
 * `.` or `-`, no `.lock` ending, at most 60 characters (a long name keeps a hash of itself, so names stay distinct).
 */
export function refComponent(name: string): string {
  let text = name
    .normalize('NFKC')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/-{2,}/g, '-')
    .replace(/^[.-]+|[.-]+$/g, '')
    .replace(/\.lock$/i, '-lock');
  if (text.length > MAX_COMPONENT_CHARS) text = `${text.slice(0, MAX_COMPONENT_CHARS - 9).replace(/[.-]+$/, '')}-${shortHash(name, 8)}`;
  return text || `step-${shortHash(name, 8)}`;
}

/** `claude-pm/<run-id>/<step>`: the branch an isolated step leaves its changes on. */
export function isolationBranch(target: IsolationTarget): string {
  return `${ISOLATION_BRANCH_PREFIX}${refComponent(target.runId)}/${refComponent(target.step)}`;
}

/** The folder under the temp folder that holds the isolated worktrees of the repository whose `.git` is `commonDir`. */
export async function worktreesFolder(commonDir: string): Promise<string> {
  return join(await realpath(tmpdir()), 'claude-pm-worktrees', shortHash(commonDir, 12));
}

/** Where the worktree of `target` goes: `<temp>/claude-pm-worktrees/<repository hash>/<run-id>-<step>`. */
export async function worktreePath(repository: Pick<Repository, 'commonDir'>, target: IsolationTarget): Promise<string> {
  return join(await worktreesFolder(repository.commonDir), `${refComponent(target.runId)}-${refComponent(target.step)}`);
}

/** The repository around `cwd`; throws IsolationError saying what to do when there is none or it has no commit. */
export async function findRepository(cwd: string): Promise<Repository> {
  const git = untrustedGit(cwd);
  let lines: string[];
  try {
    lines = (await git.raw(['rev-parse', '--show-toplevel', '--git-common-dir'])).trim().split('\n');
  } catch (error) {
    if (error instanceof ProcessesBlockedError) throw error;
    throw new IsolationError(`${cwd} is not inside a git repository, so the agent cannot work in an isolated worktree; run \`git init\` and commit once, or run without isolation`);
  }
  const root = await realpath(lines[0]!);
  const commonDir = await realpath(resolve(cwd, lines[1]!));
  const head = (await git.raw(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']).catch(() => '')).trim();
  if (!head) throw new IsolationError(`the repository at ${root} has no commit yet; commit once before running an agent in an isolated worktree`);
  return { root, commonDir, head, filters: await filterDrivers(root) };
}

/** Creates the step's worktree on its branch at HEAD (a retry of the step starts again from HEAD on the same branch). */
export async function openWorktree(cwd: string, target: IsolationTarget): Promise<IsolatedWorktree> {
  const repository = await findRepository(cwd);
  const branch = isolationBranch(target);
  const folder = await worktreesFolder(repository.commonDir);
  const path = await worktreePath(repository, target);
  await serialised(repository.commonDir, async () => {
    await pruneStale(repository, folder);
    await mkdir(folder, { recursive: true });
    await untrustedGit(repository.root, { filterDrivers: repository.filters }).raw(['worktree', 'add', '--lock', '--reason', `${LOCK_PREFIX} ${hostname()} ${process.pid}`, '-B', branch, path, repository.head]);
  });
  // A run started in a subfolder of the repository works in that subfolder of its worktree.
  const inside = relative(repository.root, await realpath(cwd));
  const agentCwd = inside ? join(path, inside) : path;
  await mkdir(agentCwd, { recursive: true });
  return { repository, path, branch, cwd: agentCwd };
}

/**
 * Commits everything the step changed on its branch, removes the worktree and returns the branch with its diff stat
 * against the base. A commit that fails leaves the worktree in place (nothing is lost) and throws saying where it is.
 */
export async function closeWorktree(worktree: IsolatedWorktree, message: string): Promise<RunIsolation> {
  const { repository, path, branch } = worktree;
  try {
    await commitAll(untrustedGit(path, { filterDrivers: repository.filters }), message);
  } catch (error) {
    throw new Error(`the changes could not be committed on ${branch} (${firstLine(error)}); they are kept in ${path}`);
  }
  const diffStat = await diffStatBetween(untrustedGit(repository.root), repository.head, branch);
  await serialised(repository.commonDir, async () => {
    await removeWorktree(repository.root, path);
    // The repository's folder goes with its last worktree; one still in use keeps it (not empty).
    await rmdir(dirname(path)).catch(() => undefined);
  });
  return { branch, base: repository.head, diffStat };
}

/** `inner` working in an isolated worktree: its result carries the branch and diff stat of what it changed. */
export function isolatedRunner(inner: AgentRunner, target: IsolationTarget): AgentRunner {
  return { kind: inner.kind, run: (request) => runIsolated(inner, request, target) };
}

async function runIsolated(inner: AgentRunner, request: RunRequest, target: IsolationTarget): Promise<RunResult> {
  const started = Date.now();
  let worktree: IsolatedWorktree;
  try {
    worktree = await openWorktree(request.cwd, target);
  } catch (error) {
    return { status: 'failed', exitCode: null, output: '', durationMs: Date.now() - started, error: `no isolated worktree: ${firstLine(error)}` };
  }
  request.onEvent?.({ kind: 'status', message: `working in an isolated worktree on branch ${worktree.branch}` });
  let result: RunResult;
  try {
    result = await inner.run({ ...request, cwd: worktree.cwd, workspace: request.workspace ?? request.cwd });
  } catch (error) {
    await closeWorktree(worktree, commitMessage(target, 'failed')).catch(() => undefined);
    throw error;
  }
  try {
    return { ...result, isolation: await closeWorktree(worktree, commitMessage(target, result.status)) };
  } catch (error) {
    return { ...result, status: 'failed', error: [result.error, firstLine(error)].filter(Boolean).join('; ') };
  }
}

function commitMessage(target: IsolationTarget, status: string): string {
  const step = target.step.replace(/\s+/g, ' ').slice(0, 200);
  return `Claude PM: run ${target.runId}, step ${step} (${status.replace(/_/g, ' ')})`;
}

/** Stages and commits every change, untracked files included; nothing to commit is not an error. */
async function commitAll(git: SimpleGit, message: string): Promise<void> {
  const changes = await git.raw(['status', '--porcelain', '--untracked-files=all']);
  if (!changes.trim()) return;
  await git.raw(['add', '--all']);
  await git.raw([...COMMITTER, 'commit', '--quiet', '--no-verify', '--no-gpg-sign', '--allow-empty', '-m', message]);
}

/** Files, inserted and deleted lines from `base` to `branch` (`--numstat` is the same in every locale). */
export async function diffStatBetween(git: SimpleGit, base: string, branch: string): Promise<DiffStat> {
  const out = await git.raw(['diff', '--numstat', '-z', '--no-renames', '--no-ext-diff', '--no-textconv', base, branch, '--']);
  const stat: DiffStat = { files: 0, insertions: 0, deletions: 0 };
  for (const record of out.split('\0')) {
    const match = /^(\d+|-)\t(\d+|-)\t/.exec(record);
    if (!match) continue;
    stat.files++;
    if (match[1] !== '-') stat.insertions += Number(match[1]);
    if (match[2] !== '-') stat.deletions += Number(match[2]);
  }
  return stat;
}

async function removeWorktree(root: string, path: string): Promise<void> {
  const git = untrustedGit(root);
  try {
    await git.raw(['worktree', 'remove', '--force', '--force', path]);
  } catch {
    // A half-removed or vanished worktree: delete the folder and let git forget it.
    await rm(path, { recursive: true, force: true });
    await git.raw(['worktree', 'unlock', path]).catch(() => undefined);
    await git.raw(['worktree', 'prune']).catch(() => undefined);
  }
}

/**
 * Worktrees under `folder` whose owner on this host is gone (a crash, a killed editor): their changes are committed on
 * their branch and they are removed. Worktrees of live processes and of other hosts are left alone.
 */
async function pruneStale(repository: Repository, folder: string): Promise<void> {
  const git = untrustedGit(repository.root);
  const listing = await git.raw(['worktree', 'list', '--porcelain']);
  for (const entry of listing.split(/\n\n+/)) {
    const path = /^worktree (.+)$/m.exec(entry)?.[1];
    if (!path || !path.startsWith(folder + sep)) continue;
    const lock = /^locked ?(.*)$/m.exec(entry)?.[1];
    const owner = lock === undefined ? undefined : /^claude-pm (\S+) (\d+)$/.exec(lock);
    if (owner && (owner[1] !== hostname() || processAlive(Number(owner[2])))) continue;
    const exists = await stat(path).then(
      () => true,
      () => false,
    );
    if (exists) {
      const kept = await commitAll(untrustedGit(path, { filterDrivers: repository.filters }), `Claude PM: changes left by an interrupted run in ${path.slice(folder.length + 1)}`).then(
        () => true,
        () => false,
      );
      if (!kept) continue;
    }
    await removeWorktree(repository.root, path);
  }
}

// Worktree bookkeeping of one repository (adding, listing, removing) happens one at a time within this process, so
// parallel steps never race for `.git/worktrees`.
const repositoryQueues = new Map<string, Promise<unknown>>();

function serialised<T>(key: string, task: () => Promise<T>): Promise<T> {
  const next = (repositoryQueues.get(key) ?? Promise.resolve()).then(task, task);
  const settled = next.catch(() => undefined);
  repositoryQueues.set(key, settled);
  void settled.then(() => {
    if (repositoryQueues.get(key) === settled) repositoryQueues.delete(key);
  });
  return next;
}

function shortHash(text: string, chars: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, chars);
}

function firstLine(error: unknown): string {
  return ((error as Error).message ?? String(error)).trim().split('\n')[0]!;
}

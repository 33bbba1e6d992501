import { gitClient } from '../common/processGate';
import { unguardedEnv } from '../common/untrustedGit';
import type { GitHealth } from './reportSchema';

/** Reads a repository's state with two git calls; null when `path` is not inside a git work tree. */
export async function inspectGit(path: string, now: Date = new Date()): Promise<GitHealth | null> {
  // A background check must never take the index lock from the user's own git commands. simple-git drops
  // the variables its environment guard covers anyway (and refuses them when passed explicitly), so they
  // are left out here and only the one we set is let through.
  const git = gitClient({ baseDir: path, maxConcurrentProcesses: 2, allowEnvironment: ['GIT_OPTIONAL_LOCKS'] }).env({ ...unguardedEnv(), GIT_OPTIONAL_LOCKS: '0' });
  // Both calls run at once; a repository without commits has no last commit, which is not an error here.
  const [status, lastSeconds] = await Promise.all([
    git.status().catch((error: Error) => {
      if (/not a git repository/i.test(error.message)) return null;
      throw error;
    }),
    git.raw(['log', '-1', '--format=%ct']).then((out) => Number(out.trim()) || null, () => null),
  ]);
  if (!status) return null;
  const lastCommit = lastSeconds === null ? null : new Date(lastSeconds * 1000);
  return {
    branch: status.detached ? null : status.current,
    detached: status.detached,
    tracking: status.tracking,
    ahead: status.ahead,
    behind: status.behind,
    dirtyFiles: status.files.length,
    conflicts: status.conflicted,
    lastCommit: lastCommit?.toISOString() ?? null,
    daysSinceLastCommit: lastCommit ? Math.max(0, Math.floor((now.getTime() - lastCommit.getTime()) / 86_400_000)) : null,
  };
}

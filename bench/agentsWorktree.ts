// Worktree isolation on a repository of many files: set-up (a branch and worktree at HEAD) and tear-down (commit
// what the agent changed, diff stat, remove the worktree), p50/p95 over N runs, against plain `git worktree add` and
// `git worktree remove` measured in the same run as the floor (a ratio stays meaningful on a loaded machine).
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { closeWorktree, openWorktree } from '../src/core/agents/worktreeIsolation';
import { percentile } from './stats';

const FILES = Number(process.env.AGENTS_BENCH_WORKTREE_FILES ?? 10_000);
const RUNS = Number(process.env.AGENTS_BENCH_WORKTREE_RUNS ?? 20);
const CHANGED_FILES = 10;

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=Bench', '-c', 'user.email=bench@localhost', '-c', 'init.defaultBranch=main', ...args], { cwd, stdio: 'ignore' });
}

export async function worktreeIsolation(root: string): Promise<Record<string, unknown>> {
  const repo = join(root, 'isolation-repo');
  await mkdir(repo, { recursive: true });
  git(repo, 'init', '--quiet');
  for (let i = 0; i < FILES; i++) {
    const dir = join(repo, `pkg${Math.floor(i / 100)}`);
    if (i % 100 === 0) await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `file${i}.ts`), `export const value${i} = ${i};\n`);
  }
  git(repo, 'add', '--all');
  git(repo, 'commit', '--quiet', '-m', 'files');

  const setup: number[] = [];
  const teardown: number[] = [];
  const floorAdd: number[] = [];
  const floorRemove: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    let t = performance.now();
    const worktree = await openWorktree(repo, { runId: `bench-${run}`, step: 'engineer' });
    setup.push(performance.now() - t);
    for (let f = 0; f < CHANGED_FILES; f++) await writeFile(join(worktree.path, `pkg${f}`, `file${f * 100}.ts`), `export const changed = ${run};\n`);
    t = performance.now();
    const isolation = await closeWorktree(worktree, `bench run ${run}`);
    teardown.push(performance.now() - t);
    if (isolation.diffStat.files !== CHANGED_FILES) throw new Error(`expected ${CHANGED_FILES} changed files, got ${isolation.diffStat.files}`);
    git(repo, 'branch', '--quiet', '-D', isolation.branch);

    const plain = join(root, `isolation-plain-${run}`);
    t = performance.now();
    git(repo, 'worktree', 'add', '--quiet', '-b', `plain-${run}`, plain, 'HEAD');
    floorAdd.push(performance.now() - t);
    t = performance.now();
    git(repo, 'worktree', 'remove', '--force', plain);
    floorRemove.push(performance.now() - t);
  }
  const p50 = (values: number[]) => percentile(values, 50, 1);
  return {
    files: FILES,
    runs: RUNS,
    changedFiles: CHANGED_FILES,
    setupMs: p50(setup),
    setupP95Ms: percentile(setup, 95, 1),
    teardownMs: p50(teardown),
    teardownP95Ms: percentile(teardown, 95, 1),
    gitWorktreeAddMs: p50(floorAdd),
    gitWorktreeRemoveMs: p50(floorRemove),
    setupVsGitAdd: Number((p50(setup) / p50(floorAdd)).toFixed(2)),
    teardownVsGitRemove: Number((p50(teardown) / p50(floorRemove)).toFixed(2)),
  };
}

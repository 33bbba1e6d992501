import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CommandRunner } from '../../../src/core/agents/commandRunner';
import { applyBranch, branchChanges, discardBranch, fileAt } from '../../../src/core/agents/isolatedBranches';
import { findRepository, isolatedRunner, isolationBranch, openWorktree, refComponent, worktreesFolder } from '../../../src/core/agents/worktreeIsolation';
import { git, gitRepo } from '../../helpers/gitRepo';
import { tempDir } from '../../helpers/tempDir';

/** A command runner whose agent types run these shell templates (the task is `{task}`). */
function commands(templates: Record<string, string>): CommandRunner {
  return new CommandRunner({ templates });
}

async function ourWorktrees(root: string): Promise<string[]> {
  const folder = await worktreesFolder((await findRepository(root)).commonDir);
  const listed = git(root, 'worktree', 'list', '--porcelain')
    .split('\n')
    .filter((l) => l.startsWith('worktree '))
    .map((l) => l.slice('worktree '.length));
  const onDisk = await readdir(folder).catch(() => []);
  return [...listed.filter((p) => p.startsWith(folder)), ...onDisk.map((n) => join(folder, n))];
}

function validBranch(name: string): boolean {
  try {
    execFileSync('git', ['check-ref-format', '--branch', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('worktree isolation', () => {
  it('gives parallel steps their own worktree: both write one path, neither sees the other, both branches keep their own content', async () => {
    const root = await gitRepo();
    // Each writes shared.txt, waits until the other has written too, then reads its own copy back.
    const template = 'printf %s {task} > shared.txt; touch "$BARRIER/$CLAUDE_PM_STEP"; for i in $(seq 100); do [ "$(ls "$BARRIER" | wc -l)" -ge 2 ] && break; sleep 0.05; done; cat shared.txt';
    const barrier = await tempDir('barrier-');
    const runner = commands({ engineer: template });
    const run = (step: string, content: string) =>
      isolatedRunner(runner, { runId: 'run-1', step }).run({ agentType: 'engineer', task: content, cwd: root, env: { BARRIER: barrier, CLAUDE_PM_STEP: step } });
    const [a, b] = await Promise.all([run('left', 'from left'), run('right', 'from right')]);
    assert.equal(a.status, 'succeeded', a.error);
    assert.equal(b.status, 'succeeded', b.error);
    assert.equal(a.output.trim(), 'from left');
    assert.equal(b.output.trim(), 'from right');
    assert.deepEqual((await readdir(barrier)).sort(), ['left', 'right']);
    assert.equal(a.isolation?.branch, 'claude-pm/run-1/left');
    assert.equal(git(root, 'show', 'claude-pm/run-1/left:shared.txt'), 'from left');
    assert.equal(git(root, 'show', 'claude-pm/run-1/right:shared.txt'), 'from right');
    assert.deepEqual(a.isolation?.diffStat, { files: 1, insertions: 1, deletions: 0 });
    assert.equal(a.isolation?.base, git(root, 'rev-parse', 'HEAD'));
    assert.equal(existsSync(join(root, 'shared.txt')), false);
    assert.deepEqual(await ourWorktrees(root), []);
    assert.match(git(root, 'log', '-1', '--format=%an <%ae> %s', 'claude-pm/run-1/left'), /^Claude PM <claude-pm@localhost> Claude PM: run run-1, step left \(succeeded\)$/);
  });

  it('commits and removes the worktree of a failed, a cancelled and a timed-out step', async () => {
    const root = await gitRepo();
    const runner = commands({ fail: 'echo partial > work.txt; exit 4', slow: 'echo started > work.txt; sleep 30' });
    const failed = await isolatedRunner(runner, { runId: 'run-2', step: 'fail' }).run({ agentType: 'fail', task: 'x', cwd: root });
    assert.equal(failed.status, 'failed');
    assert.equal(git(root, 'show', 'claude-pm/run-2/fail:work.txt'), 'partial');
    assert.match(git(root, 'log', '-1', '--format=%s', 'claude-pm/run-2/fail'), /\(failed\)$/);

    const controller = new AbortController();
    const cancelled = isolatedRunner(runner, { runId: 'run-2', step: 'cancel' }).run({
      agentType: 'slow',
      task: 'x',
      cwd: root,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.kind === 'status') setTimeout(() => controller.abort(), 300);
      },
    });
    const timedOut = isolatedRunner(runner, { runId: 'run-2', step: 'timeout' }).run({ agentType: 'slow', task: 'x', cwd: root, timeoutMs: 500 });
    const [c, t] = await Promise.all([cancelled, timedOut]);
    assert.equal(c.status, 'cancelled');
    assert.equal(t.status, 'timed_out');
    assert.equal(c.isolation?.branch, 'claude-pm/run-2/cancel');
    assert.equal(git(root, 'show', 'claude-pm/run-2/timeout:work.txt'), 'started');
    assert.deepEqual(await ourWorktrees(root), []);
  });

  it('removes the worktree when the runner itself throws', async () => {
    const root = await gitRepo();
    const broken = { kind: 'broken', run: async () => Promise.reject(new Error('runner broke')) };
    await assert.rejects(isolatedRunner(broken, { runId: 'run-3', step: 's' }).run({ agentType: 'x', task: 'x', cwd: root }), /runner broke/);
    assert.deepEqual(await ourWorktrees(root), []);
  });

  it("leaves the user's branch, index, staged, modified and untracked files as they were; the worktree starts at HEAD", async () => {
    const root = await gitRepo({ 'app.txt': 'committed\n', 'lib.txt': 'lib\n' });
    git(root, 'switch', '--quiet', '-c', 'feature');
    await writeFile(join(root, 'lib.txt'), 'staged\n');
    git(root, 'add', 'lib.txt');
    await writeFile(join(root, 'app.txt'), 'uncommitted\n');
    await writeFile(join(root, 'notes.txt'), 'untracked\n');
    const before = { status: git(root, 'status', '--porcelain=v2', '--branch'), index: git(root, 'ls-files', '--stage'), head: git(root, 'rev-parse', 'HEAD') };
    const runner = commands({ engineer: 'cat app.txt; ls; echo agent > app.txt; echo new > added.txt; rm lib.txt' });
    const result = await isolatedRunner(runner, { runId: 'run-4', step: 'edit' }).run({ agentType: 'engineer', task: 'x', cwd: root });
    assert.equal(result.status, 'succeeded', result.error);
    assert.match(result.output, /^committed$/m);
    assert.doesNotMatch(result.output, /notes\.txt/);
    assert.deepEqual(result.isolation?.diffStat, { files: 3, insertions: 2, deletions: 2 });
    assert.deepEqual({ status: git(root, 'status', '--porcelain=v2', '--branch'), index: git(root, 'ls-files', '--stage'), head: git(root, 'rev-parse', 'HEAD') }, before);
    assert.equal(await readFile(join(root, 'app.txt'), 'utf8'), 'uncommitted\n');
    assert.equal(await readFile(join(root, 'notes.txt'), 'utf8'), 'untracked\n');
    assert.equal(git(root, 'branch', '--show-current'), 'feature');
  });

  it('runs a step started in a subfolder in that subfolder of its worktree', async () => {
    const root = await gitRepo({ 'packages/web/index.js': 'x\n' });
    const result = await isolatedRunner(commands({ engineer: 'ls; echo hi > made.txt' }), { runId: 'run-5', step: 'sub' }).run({ agentType: 'engineer', task: 'x', cwd: join(root, 'packages/web') });
    assert.equal(result.status, 'succeeded', result.error);
    assert.match(result.output, /index\.js/);
    assert.equal(git(root, 'show', 'claude-pm/run-5/sub:packages/web/made.txt'), 'hi');
  });

  it('records a step that changed nothing: the branch stays at the base, the diff stat is zero', async () => {
    const root = await gitRepo();
    const result = await isolatedRunner(commands({ qa: 'echo looked' }), { runId: 'run-6', step: 'look' }).run({ agentType: 'qa', task: 'x', cwd: root });
    assert.deepEqual(result.isolation?.diffStat, { files: 0, insertions: 0, deletions: 0 });
    assert.equal(git(root, 'rev-parse', 'claude-pm/run-6/look'), git(root, 'rev-parse', 'HEAD'));
  });

  it('refuses before the agent starts outside a repository and in one without a commit', async () => {
    const plain = await tempDir('no-repo-');
    const runner = commands({ engineer: 'touch ran.txt' });
    const outside = await isolatedRunner(runner, { runId: 'r', step: 's' }).run({ agentType: 'engineer', task: 'x', cwd: plain });
    assert.equal(outside.status, 'failed');
    assert.match(outside.error!, /is not inside a git repository.*git init/);
    assert.equal(existsSync(join(plain, 'ran.txt')), false);
    const empty = join(await tempDir('empty-repo-'), 'repo');
    await mkdir(empty);
    git(empty, 'init', '--quiet');
    const unborn = await isolatedRunner(runner, { runId: 'r', step: 's' }).run({ agentType: 'engineer', task: 'x', cwd: empty });
    assert.match(unborn.error!, /has no commit yet/);
    assert.equal(existsSync(join(empty, 'ran.txt')), false);
  });

  it('turns hostile step names into valid branch components that stay inside the worktree folder', async () => {
    const root = await gitRepo();
    const folder = await worktreesFolder((await findRepository(root)).commonDir);
    const names = ['../x', 'a..b', '@{', '__proto__', 'x'.repeat(500), '', '.lock', 'a/b\\c', '-rf', 'ends.', 'HEAD', ' spaces and\nnewlines '];
    for (const name of names) {
      const branch = isolationBranch({ runId: '20260101-000000-demo-abcd', step: name });
      assert.ok(validBranch(branch), `${JSON.stringify(name)} → ${branch}`);
      assert.equal(branch.split('/').length, 3);
      assert.ok(branch.length < 140);
    }
    assert.notEqual(refComponent('x'.repeat(500)), refComponent(`${'x'.repeat(499)}y`));
    const worktree = await openWorktree(root, { runId: 'run-7', step: '../../escape' });
    assert.ok(worktree.path.startsWith(`${folder}/`), worktree.path);
    assert.equal(worktree.branch, 'claude-pm/run-7/escape');
    const result = await isolatedRunner(commands({ engineer: 'true' }), { runId: 'run-7', step: '__proto__' }).run({ agentType: 'engineer', task: 'x', cwd: root });
    assert.equal(result.isolation?.branch, 'claude-pm/run-7/__proto__');
  });

  it('makes every name a valid ref component (git check-ref-format)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80, unit: fc.constantFrom('a', 'Z', '0', '.', '-', '_', '/', '@', '{', '~', '^', ':', '?', '*', '[', '\\', ' ', 'é', '\u0000', '\n') }), (name) => {
        const component = refComponent(name);
        return component.length <= 60 && !component.includes('/') && validBranch(`claude-pm/run/${component}`);
      }),
      { numRuns: 60 },
    );
  });

  it("commits and removes a crashed run's worktree the next time a step starts", async () => {
    const root = await gitRepo();
    const crashed = await openWorktree(root, { runId: 'run-8', step: 'crashed' });
    await writeFile(join(crashed.path, 'left.txt'), 'unsaved work\n');
    // The owner is a process that no longer exists.
    git(root, 'worktree', 'unlock', crashed.path);
    git(root, 'worktree', 'lock', '--reason', `claude-pm ${(await import('node:os')).hostname()} 999999999`, crashed.path);
    const live = await openWorktree(root, { runId: 'run-8', step: 'live' });
    const result = await isolatedRunner(commands({ qa: 'true' }), { runId: 'run-9', step: 'next' }).run({ agentType: 'qa', task: 'x', cwd: root });
    assert.equal(result.status, 'succeeded', result.error);
    assert.equal(existsSync(crashed.path), false);
    assert.equal(git(root, 'show', 'claude-pm/run-8/crashed:left.txt'), 'unsaved work');
    assert.match(git(root, 'log', '-1', '--format=%s', 'claude-pm/run-8/crashed'), /interrupted run/);
    assert.equal(existsSync(live.path), true, "a live process's worktree is left alone");
    git(root, 'worktree', 'remove', '--force', '--force', live.path);
  });
});

describe('isolated branches', () => {
  async function isolatedChange(root: string, step: string, script: string) {
    const result = await isolatedRunner(commands({ engineer: script }), { runId: 'run-a', step }).run({ agentType: 'engineer', task: 'x', cwd: root });
    assert.equal(result.status, 'succeeded', result.error);
    return result.isolation!;
  }

  it('lists the changes and reads both sides; apply merges the branch into the current branch', async () => {
    const root = await gitRepo({ 'app.txt': 'one\n', 'old.txt': 'old\n' });
    const isolation = await isolatedChange(root, 'edit', 'echo two >> app.txt; echo new > new.txt; rm old.txt');
    assert.deepEqual(await branchChanges(root, isolation), [
      { kind: 'modified', path: 'app.txt' },
      { kind: 'added', path: 'new.txt' },
      { kind: 'deleted', path: 'old.txt' },
    ]);
    assert.equal(await fileAt(root, isolation.base, 'app.txt'), 'one\n');
    assert.equal(await fileAt(root, isolation.branch, 'app.txt'), 'one\ntwo\n');
    assert.equal(await fileAt(root, isolation.branch, 'old.txt'), undefined);
    const outcome = await applyBranch(root, isolation);
    assert.equal(outcome.status, 'merged');
    assert.equal(await readFile(join(root, 'app.txt'), 'utf8'), 'one\ntwo\n');
    assert.equal(existsSync(join(root, 'old.txt')), false);
    assert.equal(git(root, 'branch', '--show-current'), 'main');
  });

  it('apply with a conflict reports the conflicted files and leaves the merge in progress', async () => {
    const root = await gitRepo({ 'app.txt': 'one\n' });
    const isolation = await isolatedChange(root, 'conflict', 'echo agent > app.txt');
    await writeFile(join(root, 'app.txt'), 'user\n');
    git(root, 'commit', '--quiet', '-am', 'user change');
    const outcome = await applyBranch(root, isolation);
    assert.deepEqual(outcome, { status: 'conflicts', conflicts: [join(root, 'app.txt')] });
    assert.match(await readFile(join(root, 'app.txt'), 'utf8'), /<<<<<<< HEAD\nuser\n=======\nagent\n>>>>>>> /);
    assert.equal(git(root, 'rev-parse', '--verify', '--quiet', 'MERGE_HEAD'), git(root, 'rev-parse', isolation.branch));
    assert.match(git(root, 'status', '--porcelain'), /^UU app\.txt$/m);
  });

  it('discard deletes the branch; branch names not made by isolation are refused', async () => {
    const root = await gitRepo();
    const isolation = await isolatedChange(root, 'gone', 'echo x > x.txt');
    await discardBranch(root, isolation);
    assert.equal(git(root, 'branch', '--list', isolation.branch), '');
    await assert.rejects(discardBranch(root, { ...isolation, branch: 'main' }), /not a branch of an isolated run/);
    await assert.rejects(discardBranch(root, { ...isolation, branch: 'claude-pm/../main' }), /not a branch of an isolated run/);
    await assert.rejects(applyBranch(root, { ...isolation, base: '--upload-pack=x' }), /not a commit id/);
  });
});

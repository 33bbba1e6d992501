import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, lstat, mkdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { beginCheckpoint, checkpointChanges, checkpointRef, finishCheckpoint, pruneCheckpoints, type RunCheckpoint } from '../../../src/core/agents/checkpoint';
import { blobId, planRevert, revertRun } from '../../../src/core/agents/revertRun';
import { tempDir } from '../../helpers/tempDir';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', ...args], { cwd, encoding: 'utf8' });
}

/** A repository with two committed files, an ignored one and a staged change on a feature branch. */
async function repository(): Promise<string> {
  const root = await tempDir('claude-pm-checkpoint-');
  git(root, 'init', '-q', '-b', 'feature');
  await writeFile(join(root, '.gitignore'), 'build/\n');
  await writeFile(join(root, 'keep.txt'), 'keep\n');
  await writeFile(join(root, 'edit.txt'), 'original\n');
  await writeFile(join(root, 'gone.txt'), 'to be deleted\n');
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'initial');
  await writeFile(join(root, 'keep.txt'), 'keep, staged by the user\n');
  git(root, 'add', 'keep.txt');
  await mkdir(join(root, 'build'));
  await writeFile(join(root, 'build', 'out.js'), 'ignored\n');
  return root;
}

/** The user's view of the repository: branch, HEAD, index and status. */
function userState(root: string) {
  return { branch: git(root, 'branch', '--show-current'), head: git(root, 'rev-parse', 'HEAD'), staged: git(root, 'diff', '--cached', '--name-status'), status: git(root, 'status', '--porcelain=v1', '-z', '--untracked-files=all'), stash: git(root, 'stash', 'list') };
}

async function checkpointed(root: string, runId: string, work: () => Promise<void>): Promise<RunCheckpoint> {
  const before = await beginCheckpoint(root, runId);
  assert.ok(before.before, before.unavailable);
  await work();
  return finishCheckpoint(root, runId, before);
}

describe('run checkpoints', () => {
  it('records added, modified and deleted files (untracked included, ignored left out) without touching the index, HEAD or branch', async () => {
    const root = await repository();
    const stateBefore = userState(root);
    const checkpoint = await checkpointed(root, 'run-a', async () => {
      await writeFile(join(root, 'edit.txt'), 'changed by the agent\n');
      await rm(join(root, 'gone.txt'));
      await writeFile(join(root, 'created.txt'), 'new\n');
      await writeFile(join(root, 'build', 'more.js'), 'ignored too\n');
      // Claude PM's own records change during every run; they are not the run's work.
      await mkdir(join(root, '.claude-pm', 'runs'), { recursive: true });
      await writeFile(join(root, '.claude-pm', 'runs', 'run-a.json'), '{}\n');
    });
    const changes = new Map(checkpoint.files!.map((f) => [f.path, f.change]));
    assert.deepEqual(Object.fromEntries(changes), { 'created.txt': 'added', 'edit.txt': 'modified', 'gone.txt': 'deleted' });
    // The user's staged change, branch and HEAD are as they were; the working tree differs only by the agent's edits.
    const stateAfter = userState(root);
    assert.equal(stateAfter.branch, stateBefore.branch);
    assert.equal(stateAfter.head, stateBefore.head);
    assert.equal(stateAfter.staged, stateBefore.staged);
    assert.equal(stateAfter.stash, '');
    assert.match(git(root, 'for-each-ref', '--format=%(refname)'), /refs\/claude-pm\/checkpoints\/run-a/);
    // The after commit has the before commit as parent, so one ref keeps both.
    assert.equal(git(root, 'rev-parse', `${checkpointRef('run-a')}^`).trim(), checkpoint.before);
  });

  it('says there is no checkpoint outside a git repository, without failing', async () => {
    const root = await tempDir();
    const checkpoint = await beginCheckpoint(root, 'run-b');
    assert.equal(checkpoint.before, undefined);
    assert.equal(checkpoint.unavailable, 'not a git repository');
    assert.deepEqual(await finishCheckpoint(root, 'run-b', checkpoint), checkpoint);
  });

  it('works in a repository without commits and refuses ref names that are not run ids', async () => {
    const root = await tempDir();
    git(root, 'init', '-q');
    const checkpoint = await checkpointed(root, 'run-c', () => writeFile(join(root, 'first.txt'), 'hello\n'));
    assert.deepEqual(checkpoint.files!.map((f) => [f.path, f.change]), [['first.txt', 'added']]);
    assert.throws(() => checkpointRef('../heads/main'), /not a run id/);
    assert.match((await beginCheckpoint(root, 'x..y')).unavailable!, /not a run id/);
  });

  it("never starts a program the repository's config names (filters, fsmonitor, hooks)", async () => {
    const root = await repository();
    const marker = join(root, '..', `${root.split('/').pop()}-ran`);
    await writeFile(join(root, '.gitattributes'), '* filter=evil\n');
    git(root, 'config', 'filter.evil.clean', `touch ${marker}; cat`);
    git(root, 'config', 'filter.evil.process', `touch ${marker}`);
    git(root, 'config', 'core.fsmonitor', `touch ${marker}; echo`);
    await mkdir(join(root, '.git', 'hooks'), { recursive: true });
    await writeFile(join(root, '.git', 'hooks', 'reference-transaction'), `#!/bin/sh\ntouch ${marker}\n`);
    await chmod(join(root, '.git', 'hooks', 'reference-transaction'), 0o755);
    const checkpoint = await checkpointed(root, 'run-d', () => writeFile(join(root, 'edit.txt'), 'x\n'));
    assert.ok(checkpoint.after);
    await assert.rejects(lstat(marker), /ENOENT/);
  });

  it('keeps the checkpoints of the newest runs only', async () => {
    const root = await repository();
    for (const id of ['run-1', 'run-2', 'run-3']) {
      await checkpointed(root, id, () => writeFile(join(root, 'edit.txt'), `${id}\n`));
      // Commit times have a resolution of a second: the next run's checkpoint must be newer.
      await new Promise((r) => setTimeout(r, 1100));
    }
    assert.deepEqual((await pruneCheckpoints(root, 2)).sort(), ['run-1']);
    assert.deepEqual(git(root, 'for-each-ref', '--format=%(refname:lstrip=3)', 'refs/claude-pm/checkpoints/').trim().split('\n').sort(), ['run-2', 'run-3']);
  });
});

describe('revert a run', () => {
  it('restores exactly the files the run changed, deletes what it created, and leaves everything else alone', async () => {
    const root = await repository();
    await writeFile(join(root, 'user-untracked.txt'), 'the user wrote this\n');
    const checkpoint = await checkpointed(root, 'run-r', async () => {
      await writeFile(join(root, 'edit.txt'), 'agent\n');
      await rm(join(root, 'gone.txt'));
      await mkdir(join(root, 'new', 'deep'), { recursive: true });
      await writeFile(join(root, 'new', 'deep', 'made.txt'), 'agent made\n');
    });
    // The user keeps working on another file after the run.
    await writeFile(join(root, 'user-untracked.txt'), 'edited after the run\n');
    const outcome = await revertRun(root, checkpoint);
    assert.deepEqual(outcome.skipped, []);
    assert.deepEqual(outcome.restored.sort(), ['edit.txt', 'gone.txt']);
    assert.deepEqual(outcome.removed, ['new/deep/made.txt']);
    assert.equal(await readFile(join(root, 'edit.txt'), 'utf8'), 'original\n');
    assert.equal(await readFile(join(root, 'gone.txt'), 'utf8'), 'to be deleted\n');
    await assert.rejects(lstat(join(root, 'new', 'deep', 'made.txt')), /ENOENT/);
    assert.equal(await readFile(join(root, 'user-untracked.txt'), 'utf8'), 'edited after the run\n');
    assert.equal(await readFile(join(root, 'keep.txt'), 'utf8'), 'keep, staged by the user\n');
    assert.equal(git(root, 'diff', '--cached', '--name-only').trim(), 'keep.txt');
  });

  it('refuses a file changed since the run ended unless forced', async () => {
    const root = await repository();
    const checkpoint = await checkpointed(root, 'run-f', async () => {
      await writeFile(join(root, 'edit.txt'), 'agent\n');
      await writeFile(join(root, 'created.txt'), 'agent\n');
    });
    await writeFile(join(root, 'edit.txt'), 'the user changed it again\n');
    const plan = await planRevert(root, checkpoint);
    assert.deepEqual(Object.fromEntries(plan.map((p) => [p.file.path, p.state])), { 'created.txt': 'as_left', 'edit.txt': 'changed_since' });
    const first = await revertRun(root, checkpoint);
    assert.deepEqual(first.skipped, [{ path: 'edit.txt', reason: 'changed since the run ended' }]);
    assert.deepEqual(first.removed, ['created.txt']);
    assert.equal(await readFile(join(root, 'edit.txt'), 'utf8'), 'the user changed it again\n');
    const forced = await revertRun(root, checkpoint, { force: true });
    assert.deepEqual(forced.restored, ['edit.txt']);
    assert.equal(await readFile(join(root, 'edit.txt'), 'utf8'), 'original\n');
  });

  it('handles file names with spaces, newlines, leading dashes and unicode', async () => {
    const root = await repository();
    const names = ['with space.txt', 'new\nline.txt', '-rf', '--force.txt', 'ünïcødé ✓.md', 'dir with space/-x'];
    await mkdir(join(root, 'dir with space'));
    for (const name of names) await writeFile(join(root, name), `before ${name}\n`);
    const checkpoint = await checkpointed(root, 'run-h', async () => {
      for (const name of names) await writeFile(join(root, name), `after ${name}\n`);
    });
    assert.deepEqual(checkpoint.files!.map((f) => f.path).sort(), [...names].sort());
    assert.ok(checkpoint.files!.every((f) => f.change === 'modified'));
    const outcome = await revertRun(root, checkpoint);
    assert.deepEqual(outcome.restored.sort(), [...names].sort());
    for (const name of names) assert.equal(await readFile(join(root, name), 'utf8'), `before ${name}\n`);
  });

  it('removes a symbolic link the run created to outside the workspace without following it', async () => {
    const root = await repository();
    const outside = await tempDir('claude-pm-outside-');
    await writeFile(join(outside, 'secret.txt'), 'outside\n');
    const checkpoint = await checkpointed(root, 'run-l', async () => {
      await symlink(join(outside, 'secret.txt'), join(root, 'escape'));
      await symlink(outside, join(root, 'escape-dir'));
    });
    assert.deepEqual(checkpoint.files!.map((f) => [f.path, f.change, f.after?.mode]).sort(), [['escape', 'added', '120000'], ['escape-dir', 'added', '120000']]);
    const outcome = await revertRun(root, checkpoint);
    assert.deepEqual(outcome.removed.sort(), ['escape', 'escape-dir']);
    await assert.rejects(lstat(join(root, 'escape')), /ENOENT/);
    assert.equal(await readFile(join(outside, 'secret.txt'), 'utf8'), 'outside\n');
  });

  it('never writes through a link out of the workspace: a link the run put in place of a folder is removed first', async () => {
    const root = await repository();
    const outside = await tempDir('claude-pm-outside-');
    await mkdir(join(root, 'src'));
    await writeFile(join(root, 'src', 'app.ts'), 'app\n');
    const checkpoint = await checkpointed(root, 'run-s', async () => {
      await rm(join(root, 'src'), { recursive: true });
      await symlink(outside, join(root, 'src'));
    });
    const outcome = await revertRun(root, checkpoint, { force: true });
    assert.deepEqual(outcome, { removed: ['src'], restored: ['src/app.ts'], skipped: [] });
    assert.ok((await lstat(join(root, 'src'))).isDirectory());
    assert.equal(await readFile(join(root, 'src', 'app.ts'), 'utf8'), 'app\n');
    await assert.rejects(lstat(join(outside, 'app.ts')), /ENOENT/);
  });

  it('refuses, even forced, to restore through a folder replaced by a link out of the workspace after the run', async () => {
    const root = await repository();
    const outside = await tempDir('claude-pm-outside-');
    await mkdir(join(root, 'src'));
    await writeFile(join(root, 'src', 'app.ts'), 'app\n');
    const checkpoint = await checkpointed(root, 'run-t', () => writeFile(join(root, 'src', 'app.ts'), 'agent\n'));
    await rm(join(root, 'src'), { recursive: true });
    await symlink(outside, join(root, 'src'));
    const outcome = await revertRun(root, checkpoint, { force: true });
    assert.deepEqual(outcome.skipped.map((s) => s.path), ['src/app.ts']);
    assert.match(outcome.skipped[0]!.reason, /only paths inside the workspace/);
    await assert.rejects(lstat(join(outside, 'app.ts')), /ENOENT/);
  });

  it('restores a symbolic link the run deleted as a link, and the executable bit', async () => {
    const root = await repository();
    await symlink('keep.txt', join(root, 'alias'));
    await writeFile(join(root, 'run.sh'), '#!/bin/sh\n');
    await chmod(join(root, 'run.sh'), 0o755);
    const checkpoint = await checkpointed(root, 'run-k', async () => {
      await rm(join(root, 'alias'));
      await rm(join(root, 'run.sh'));
    });
    await revertRun(root, checkpoint);
    assert.equal(await readlink(join(root, 'alias')), 'keep.txt');
    assert.equal((await lstat(join(root, 'run.sh'))).mode & 0o100, 0o100);
  });

  it('reads what changed from git, not from the run record', async () => {
    const root = await repository();
    const checkpoint = await checkpointed(root, 'run-g', () => writeFile(join(root, 'edit.txt'), 'agent\n'));
    const forged: RunCheckpoint = { ...checkpoint, files: [{ path: '../outside.txt', change: 'added', after: { oid: '0'.repeat(40), mode: '100644' } }] };
    assert.deepEqual((await checkpointChanges(root, forged)).map((f) => f.path), ['edit.txt']);
    await assert.rejects(checkpointChanges(root, { before: checkpoint.before }), /no checkpoint of its end/);
    await assert.rejects(checkpointChanges(root, { before: '--output=x', after: checkpoint.after }), /not a commit id/);
  });

  it("computes git's blob ids for the files it compares", () => {
    const content = Buffer.from('line one\r\nno newline at the end');
    assert.equal(blobId(content), execFileSync('git', ['hash-object', '--no-filters', '--stdin'], { input: content, encoding: 'utf8' }).trim());
  });

  it('restores any set of file names and contents the run wrote over, created or deleted', async () => {
    // Names of any characters a file name may hold (no `/`, no NUL), contents of any bytes.
    const name = fc.string({ minLength: 1, maxLength: 12, unit: fc.oneof(fc.constantFrom(' ', '-', '\n', '\t', 'é', '✓', '"', '*', '\\'), fc.string({ minLength: 1, maxLength: 1 })) }).filter((n) => !n.includes('/') && !n.includes('\0') && n !== '.' && n !== '..' && n.toLowerCase() !== '.git' && n !== '.gitignore');
    const files = fc.uniqueArray(fc.record({ name, before: fc.option(fc.uint8Array({ maxLength: 40 })), after: fc.option(fc.uint8Array({ maxLength: 40 })) }), { selector: (f) => f.name, minLength: 1, maxLength: 6 });
    await fc.assert(
      fc.asyncProperty(files, async (cases) => {
        const root = await tempDir('claude-pm-checkpoint-prop-');
        git(root, 'init', '-q');
        for (const f of cases) if (f.before) await writeFile(join(root, f.name), f.before);
        const checkpoint = await checkpointed(root, 'run-p', async () => {
          for (const f of cases) {
            if (f.after) await writeFile(join(root, f.name), f.after);
            else await rm(join(root, f.name), { force: true });
          }
        });
        const outcome = await revertRun(root, checkpoint);
        assert.deepEqual(outcome.skipped, []);
        for (const f of cases) {
          if (f.before) assert.deepEqual(new Uint8Array(await readFile(join(root, f.name))), f.before);
          else await assert.rejects(lstat(join(root, f.name)), /ENOENT/);
        }
      }),
      { numRuns: Number(process.env.CHECKPOINT_PROPERTY_RUNS ?? 8), seed: 20261129 },
    );
  });
});

import assert from 'node:assert/strict';
import { mkdir, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { inspectGit } from '../../../src/core/health/gitHealth';
import { tempDir } from '../../helpers/tempDir';
import { git, makeRepo } from './fixtures';

describe('inspectGit', () => {
  it('reads a clean repository', async () => {
    const repo = await makeRepo(join(await tempDir(), 'clean'));
    const health = await inspectGit(repo);
    assert.ok(health);
    assert.equal(health.branch, 'main');
    assert.equal(health.detached, false);
    assert.equal(health.dirtyFiles, 0);
    assert.deepEqual(health.conflicts, []);
    assert.equal(health.daysSinceLastCommit, 0);
    assert.ok(health.lastCommit && !Number.isNaN(Date.parse(health.lastCommit)));
  });

  it('counts dirty files and measures days since the last commit', async () => {
    const repo = await makeRepo(join(await tempDir(), 'dirty'));
    await writeFile(join(repo, 'README.md'), '# changed\n');
    await writeFile(join(repo, 'new.txt'), 'new\n');
    const inTenDays = new Date(Date.now() + 10 * 86_400_000 + 60_000);
    const health = await inspectGit(repo, inTenDays);
    assert.equal(health?.dirtyFiles, 2);
    assert.equal(health?.daysSinceLastCommit, 10);
  });

  it('reports ahead and behind against a local bare remote', async () => {
    const root = await tempDir();
    const remote = join(root, 'remote.git');
    await mkdir(remote);
    await git(remote, 'init', '-q', '--bare', '-b', 'main');
    const a = await makeRepo(join(root, 'a'));
    await git(a, 'remote', 'add', 'origin', remote);
    await git(a, 'push', '-q', '-u', 'origin', 'main');
    await git(root, 'clone', '-q', remote, 'b');
    const b = join(root, 'b');
    // b moves the remote forward by two commits; a commits once locally and fetches.
    for (const n of [1, 2]) {
      await writeFile(join(b, `b${n}.txt`), `${n}\n`);
      await git(b, 'add', '-A');
      await git(b, 'commit', '-q', '-m', `b${n}`);
    }
    await git(b, 'push', '-q', 'origin', 'main');
    await writeFile(join(a, 'a.txt'), 'a\n');
    await git(a, 'add', '-A');
    await git(a, 'commit', '-q', '-m', 'a');
    await git(a, 'fetch', '-q');
    const health = await inspectGit(a);
    assert.equal(health?.tracking, 'origin/main');
    assert.equal(health?.ahead, 1);
    assert.equal(health?.behind, 2);
  });

  it('detects a detached HEAD', async () => {
    const repo = await makeRepo(join(await tempDir(), 'detached'));
    await writeFile(join(repo, 'x.txt'), 'x\n');
    await git(repo, 'add', '-A');
    await git(repo, 'commit', '-q', '-m', 'second');
    await git(repo, 'checkout', '-q', 'HEAD~1');
    const health = await inspectGit(repo);
    assert.equal(health?.detached, true);
    assert.equal(health?.branch, null);
  });

  it('lists files with merge conflicts', async () => {
    const repo = await makeRepo(join(await tempDir(), 'conflict'));
    await git(repo, 'checkout', '-q', '-b', 'other');
    await writeFile(join(repo, 'README.md'), 'other\n');
    await git(repo, 'commit', '-q', '-am', 'other');
    await git(repo, 'checkout', '-q', 'main');
    await writeFile(join(repo, 'README.md'), 'main\n');
    await git(repo, 'commit', '-q', '-am', 'main');
    await git(repo, 'merge', 'other').catch(() => undefined);
    const health = await inspectGit(repo);
    assert.deepEqual(health?.conflicts, ['README.md']);
  });

  it('leaves the index alone so it never competes with the user for the index lock', async () => {
    const repo = await makeRepo(join(await tempDir(), 'locks'));
    const later = new Date(Date.now() + 60_000);
    await utimes(join(repo, 'README.md'), later, later);
    const before = (await stat(join(repo, '.git', 'index'))).mtimeMs;
    const health = await inspectGit(repo);
    assert.equal(health?.dirtyFiles, 0);
    assert.equal((await stat(join(repo, '.git', 'index'))).mtimeMs, before);
  });

  it('works in an environment with editor, pager and git variables set (as in an editor terminal)', async () => {
    const repo = await makeRepo(join(await tempDir(), 'env'));
    const saved = { ...process.env };
    Object.assign(process.env, { PAGER: 'less', EDITOR: 'vi', VISUAL: 'vi', GIT_PAGER: 'cat', GIT_ASKPASS: '/bin/true', PREFIX: '/usr' });
    try {
      assert.equal((await inspectGit(repo))?.branch, 'main');
    } finally {
      for (const key of ['PAGER', 'EDITOR', 'VISUAL', 'GIT_PAGER', 'GIT_ASKPASS', 'PREFIX']) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  });

  it('returns null outside a repository and handles a repository without commits', async () => {
    const root = await tempDir();
    const plain = join(root, 'plain');
    await mkdir(plain);
    assert.equal(await inspectGit(plain), null);
    const empty = join(root, 'empty');
    await mkdir(empty);
    await git(empty, 'init', '-q', '-b', 'main');
    const health = await inspectGit(empty);
    assert.equal(health?.lastCommit, null);
    assert.equal(health?.daysSinceLastCommit, null);
  });
});

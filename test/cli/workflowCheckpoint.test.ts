import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { git, gitRepo } from '../helpers/gitRepo';
import { cli } from '../helpers/runCli';

async function workspace(workflow: string, config: unknown = {}): Promise<string> {
  const root = await gitRepo({ 'app.txt': 'one\n', 'old.txt': 'old\n', 'keep.txt': 'keep\n' });
  await mkdir(join(root, '.claude-pm', 'workflows'), { recursive: true });
  await writeFile(join(root, '.claude-pm', 'config.json'), JSON.stringify(config));
  await writeFile(join(root, '.claude-pm', 'workflows', 'wf.yaml'), workflow);
  return root;
}

const env = () => ({ HOME: process.env.HOME, PATH: process.env.PATH });

const WORKFLOW = [
  'name: edits',
  'type: parallel',
  'steps:',
  '  - name: add',
  '    command: echo new > new.txt',
  '  - name: modify',
  '    command: echo two >> app.txt',
  '  - name: delete',
  '    command: rm old.txt',
  '  - name: aside',
  '    isolation: worktree',
  '    command: echo isolated > keep.txt',
  '',
].join('\n');

interface Recorded {
  checkpoint?: { before?: string; after?: string; files?: { path: string; change: string }[]; unavailable?: string };
}

async function record(root: string, id: string): Promise<Recorded> {
  return JSON.parse(await readFile(join(root, '.claude-pm', 'runs', `${id}.json`), 'utf8')) as Recorded;
}

describe('checkpoints of workflow runs', () => {
  it('lists what a workflow run added, modified and deleted, and reverts it, refusing files changed since without --force', async () => {
    const root = await workspace(WORKFLOW);
    const head = git(root, 'rev-parse', 'HEAD');
    const ran = await cli(['workflow', 'run', '.claude-pm/workflows/wf.yaml', '--skip-memory', '--format', 'json'], { cwd: root, env: env() });
    assert.equal(ran.code, 0, ran.stderr);
    const { id } = JSON.parse(ran.stdout) as { id: string };
    const saved = await record(root, id);
    // The isolated step worked on its own branch: its file is not part of the run's checkpoint.
    assert.deepEqual(saved.checkpoint!.files!.map((f) => [f.path, f.change]).sort(), [['app.txt', 'modified'], ['new.txt', 'added'], ['old.txt', 'deleted']]);
    assert.equal(git(root, 'rev-parse', `refs/claude-pm/checkpoints/${id}`), saved.checkpoint!.after);
    assert.equal(git(root, 'rev-parse', 'HEAD'), head);

    const listed = await cli(['runs', 'changes', id, '--format', 'json'], { cwd: root, env: env() });
    assert.equal(listed.code, 0, listed.stderr);
    const files = (JSON.parse(listed.stdout) as { files: { path: string; change: string; changedSinceRun: boolean }[] }).files;
    assert.deepEqual(files.sort((a, b) => a.path.localeCompare(b.path)), [
      { path: 'app.txt', change: 'modified', changedSinceRun: false },
      { path: 'new.txt', change: 'added', changedSinceRun: false },
      { path: 'old.txt', change: 'deleted', changedSinceRun: false },
    ]);

    // The user edits a file the run wrote: revert restores the rest and leaves that one alone until forced.
    await writeFile(join(root, 'new.txt'), 'mine now\n');
    const changedSince = await cli(['runs', 'changes', id], { cwd: root, env: env() });
    assert.match(changedSince.stdout, /added\s+new\.txt\s+\(changed since the run\)/);
    const refused = await cli(['runs', 'revert', id, '--format', 'json'], { cwd: root, env: env() });
    assert.equal(refused.code, 1);
    const outcome = JSON.parse(refused.stdout) as { restored: string[]; removed: string[]; skipped: { path: string; reason: string }[] };
    assert.deepEqual(outcome.restored.sort(), ['app.txt', 'old.txt']);
    assert.deepEqual(outcome.skipped, [{ path: 'new.txt', reason: 'changed since the run ended' }]);
    assert.equal(await readFile(join(root, 'app.txt'), 'utf8'), 'one\n');
    assert.equal(await readFile(join(root, 'old.txt'), 'utf8'), 'old\n');
    assert.equal(await readFile(join(root, 'new.txt'), 'utf8'), 'mine now\n');

    const forced = await cli(['runs', 'revert', id, '--force', '--format', 'json'], { cwd: root, env: env() });
    assert.equal(forced.code, 0, forced.stderr);
    assert.deepEqual((JSON.parse(forced.stdout) as { removed: string[] }).removed, ['new.txt']);
    assert.equal(existsSync(join(root, 'new.txt')), false);
    // The isolated step's branch is untouched by the revert, and the workspace's own file was never changed.
    assert.equal(git(root, 'show', `claude-pm/${id}/aside:keep.txt`), 'isolated');
    assert.equal(await readFile(join(root, 'keep.txt'), 'utf8'), 'keep\n');
  });

  it('takes no checkpoint when the project keeps none, or when every step is isolated', async () => {
    const none = await workspace(WORKFLOW, { agents: { checkpoints_kept: 0 } });
    const ran = await cli(['workflow', 'run', '.claude-pm/workflows/wf.yaml', '--skip-memory', '--format', 'json'], { cwd: none, env: env() });
    assert.equal(ran.code, 0, ran.stderr);
    const { id } = JSON.parse(ran.stdout) as { id: string };
    assert.equal((await record(none, id)).checkpoint, undefined);
    const changes = await cli(['runs', 'changes', id], { cwd: none, env: env() });
    assert.equal(changes.code, 1);
    assert.match(changes.stderr, /has no checkpoint/);

    const isolated = await workspace(['name: aside', 'isolation: worktree', 'steps:', '  - name: only', '    command: echo x > x.txt', ''].join('\n'));
    const aside = await cli(['workflow', 'run', '.claude-pm/workflows/wf.yaml', '--skip-memory', '--format', 'json'], { cwd: isolated, env: env() });
    assert.equal(aside.code, 0, aside.stderr);
    assert.equal((await record(isolated, (JSON.parse(aside.stdout) as { id: string }).id)).checkpoint, undefined);
  });

  it('keeps the checkpoints of the last runs only', async () => {
    const root = await workspace(['name: one', 'steps:', '  - name: add', '    command: date +%N >> log.txt', ''].join('\n'), { agents: { checkpoints_kept: 2 } });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const ran = await cli(['workflow', 'run', '.claude-pm/workflows/wf.yaml', '--skip-memory', '--format', 'json'], { cwd: root, env: env() });
      assert.equal(ran.code, 0, ran.stderr);
      ids.push((JSON.parse(ran.stdout) as { id: string }).id);
    }
    // Snapshot times have one-second steps, so which of runs in the same second goes first is git's choice.
    const refs = git(root, 'for-each-ref', '--format=%(refname)', 'refs/claude-pm/checkpoints/').split('\n').filter(Boolean);
    assert.equal(refs.length, 2);
    for (const ref of refs) assert.ok(ids.some((id) => ref === `refs/claude-pm/checkpoints/${id}`), ref);
  });
});

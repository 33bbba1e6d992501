import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { git, gitRepo } from '../helpers/gitRepo';
import { cli } from '../helpers/runCli';
import { tempDir } from '../helpers/tempDir';

interface StepJson {
  name: string;
  status: string;
  isolation: { branch: string; base: string; diffStat: { files: number; insertions: number; deletions: number } } | null;
}

async function workspace(workflow: string, config: unknown = {}): Promise<string> {
  const root = await gitRepo({ 'app.txt': 'one\n', '.gitignore': '.claude-pm/runs/\n' });
  await mkdir(join(root, '.claude-pm', 'workflows'), { recursive: true });
  await writeFile(join(root, '.claude-pm', 'config.json'), JSON.stringify(config));
  await writeFile(join(root, '.claude-pm', 'workflows', 'wf.yaml'), workflow);
  git(root, 'add', '--all');
  git(root, 'commit', '--quiet', '-m', 'workflow');
  return root;
}

const env = () => ({ HOME: process.env.HOME, PATH: process.env.PATH });

describe('claude-pm workflow with isolation: worktree', () => {
  it('runs parallel steps in their own worktrees, then diffs, applies (with a conflict) and discards their branches', async () => {
    const root = await workspace(
      [
        'name: isolated',
        'type: parallel',
        'isolation: worktree',
        'steps:',
        '  - name: left',
        '    command: echo left > app.txt && echo left-only > left.txt',
        '  - name: right',
        '    command: echo right > app.txt',
        '  - name: shared',
        '    isolation: none',
        '    command: echo in-workspace > shared.txt',
        '',
      ].join('\n'),
    );
    const head = git(root, 'rev-parse', 'HEAD');
    const ran = await cli(['workflow', 'run', '.claude-pm/workflows/wf.yaml', '--skip-memory', '--format', 'json'], { cwd: root, env: env() });
    assert.equal(ran.code, 0, ran.stderr);
    const run = JSON.parse(ran.stdout) as { id: string; steps: StepJson[] };
    const step = (name: string) => run.steps.find((s) => s.name === name)!;
    assert.deepEqual(step('left').isolation, { branch: `claude-pm/${run.id}/left`, base: head, diffStat: { files: 2, insertions: 2, deletions: 1 } });
    assert.equal(step('right').isolation?.branch, `claude-pm/${run.id}/right`);
    assert.equal(step('shared').isolation, null);
    assert.equal(git(root, 'show', `claude-pm/${run.id}/right:app.txt`), 'right');
    // The workspace got only the step that was not isolated.
    assert.equal(await readFile(join(root, 'app.txt'), 'utf8'), 'one\n');
    assert.equal(existsSync(join(root, 'left.txt')), false);
    assert.equal(await readFile(join(root, 'shared.txt'), 'utf8'), 'in-workspace\n');
    assert.equal(git(root, 'rev-parse', 'HEAD'), head);

    const diff = await cli(['runs', 'diff', run.id, '--step', 'left', '--format', 'json'], { cwd: root, env: env() });
    assert.equal(diff.code, 0, diff.stderr);
    assert.deepEqual((JSON.parse(diff.stdout) as { steps: { changes: unknown[] }[] }).steps[0]!.changes, [
      { kind: 'modified', path: 'app.txt' },
      { kind: 'added', path: 'left.txt' },
    ]);
    const patch = await cli(['runs', 'diff', run.id, '--step', 'right', '--patch'], { cwd: root, env: env() });
    assert.match(patch.stdout, /^right: claude-pm\/.+\/right from [0-9a-f]{12}, 1 file changed, \+1 −1$/m);
    assert.match(patch.stdout, /^-one\n\+right$/m);

    const applied = await cli(['runs', 'apply', run.id, '--step', 'left'], { cwd: root, env: env() });
    assert.equal(applied.code, 0, applied.stderr);
    assert.equal(await readFile(join(root, 'left.txt'), 'utf8'), 'left-only\n');
    const conflicted = await cli(['runs', 'apply', run.id, '--format', 'json'], { cwd: root, env: env() });
    assert.equal(conflicted.code, 1);
    assert.deepEqual(JSON.parse(conflicted.stdout), { run: run.id, applied: [], conflicted: { step: 'right', files: ['app.txt'] } });
    assert.match(git(root, 'status', '--porcelain'), /^UU app\.txt$/m);
    git(root, 'merge', '--abort');

    const discarded = await cli(['runs', 'discard', run.id], { cwd: root, env: env() });
    assert.equal(discarded.code, 0, discarded.stderr);
    assert.equal(discarded.stdout.trim(), 'discarded right');
    assert.equal(git(root, 'branch', '--list', `claude-pm/${run.id}/right`), '');
    const record = JSON.parse(await readFile(join(root, '.claude-pm', 'runs', `${run.id}.json`), 'utf8')) as { steps: { name: string; isolation?: { resolution?: { action: string } } }[] };
    assert.deepEqual(
      record.steps.map((s) => [s.name, s.isolation?.resolution?.action]),
      [
        ['left', 'applied'],
        ['right', 'discarded'],
        ['shared', undefined],
      ],
    );
    const again = await cli(['runs', 'apply', run.id], { cwd: root, env: env() });
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already applied or discarded/);
  });

  it('reports a bad isolation value with its file and line', async () => {
    const root = await workspace(['name: bad', 'steps:', '  - name: a', '    command: "true"', '    isolation: sandbox', ''].join('\n'));
    const { code, stdout } = await cli(['workflow', 'validate', '.claude-pm/workflows/wf.yaml'], { cwd: root, env: env() });
    assert.equal(code, 1);
    assert.match(stdout, /wf\.yaml:5:\d+.*isolation must be `none` or `worktree`/);
  });

  it('refuses an isolated workflow outside a git repository before any step runs', async () => {
    const root = join(await tempDir(), 'plain');
    await mkdir(join(root, '.claude-pm', 'workflows'), { recursive: true });
    await writeFile(join(root, '.claude-pm', 'workflows', 'wf.yaml'), ['name: plain', 'isolation: worktree', 'steps:', '  - name: a', '    command: touch ran.txt', ''].join('\n'));
    const { code, stderr } = await cli(['workflow', 'run', '.claude-pm/workflows/wf.yaml', '--skip-memory'], { cwd: root, env: env() });
    assert.equal(code, 1);
    assert.match(stderr, /is not inside a git repository.*git init/);
    assert.equal(existsSync(join(root, 'ran.txt')), false);
  });

  it('rejects an unknown run id or one that reaches out of the runs folder', async () => {
    const root = await workspace(['name: x', 'steps:', '  - name: a', '    command: "true"', ''].join('\n'));
    const traversal = await cli(['runs', 'apply', '../../config'], { cwd: root, env: env() });
    assert.equal(traversal.code, 2);
    assert.match(traversal.stderr, /'..\/..\/config' is not a run id/);
    const unknown = await cli(['runs', 'diff', '20260101-000000-x-abcd'], { cwd: root, env: env() });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no run 20260101-000000-x-abcd in /);
  });
});

describe('claude-pm delegate --isolation worktree', () => {
  it('runs the command runner in a worktree and reports the branch, base and diff stat', async () => {
    const root = await workspace(['name: x', 'steps:', '  - name: a', '    command: "true"', ''].join('\n'), { agents: { commands: { engineer: 'echo {task} > task.txt' } } });
    const { code, stdout, stderr } = await cli(['delegate', '--agent', 'engineer', '--runner', 'command', '--isolation', 'worktree', '--format', 'json', 'write it'], { cwd: root, env: env() });
    assert.equal(code, 0, stderr);
    const out = JSON.parse(stdout) as { id: string; isolation: StepJson['isolation'] };
    assert.deepEqual(out.isolation, { branch: `claude-pm/${out.id}/engineer`, base: git(root, 'rev-parse', 'HEAD'), diffStat: { files: 1, insertions: 1, deletions: 0 } });
    assert.equal(git(root, 'show', `${out.isolation!.branch}:task.txt`), 'write it');
    assert.equal(existsSync(join(root, 'task.txt')), false);
    const shown = await cli(['runs', 'diff', out.id], { cwd: root, env: env() });
    assert.match(shown.stdout, /added\s+task\.txt/);
  });

  it('says what to do outside a repository, and refuses an unknown isolation', async () => {
    const root = join(await tempDir(), 'plain');
    await mkdir(join(root, '.claude-pm'), { recursive: true });
    await writeFile(join(root, '.claude-pm', 'config.json'), JSON.stringify({ agents: { commands: { engineer: 'touch ran.txt' } } }));
    const outside = await cli(['delegate', '--agent', 'engineer', '--runner', 'command', '--isolation', 'worktree', 'x'], { cwd: root, env: env() });
    assert.equal(outside.code, 1);
    assert.match(outside.stderr, /not inside a git repository/);
    assert.equal(existsSync(join(root, 'ran.txt')), false);
    const bad = await cli(['delegate', '--agent', 'engineer', '--isolation', 'container', 'x'], { cwd: root, env: env() });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--isolation must be none or worktree, not 'container'/);
  });
});

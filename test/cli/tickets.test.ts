import assert from 'node:assert/strict';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { cli } from '../helpers/runCli';
import { tempDir } from '../helpers/tempDir';

const FIXTURES = process.env.CLAUDE_PM_FIXTURES ?? resolve(__dirname, '../../../shared/fixtures');
const json = (stdout: string) => JSON.parse(stdout) as unknown;

describe('claude-pm tickets', () => {
  it('lists real tickets as JSON with the documented keys and filters', async () => {
    const { code, stdout } = await cli(['tickets', 'list', '--root', join(FIXTURES, 'cmpm/tickets'), '--type', 'pr', '--format', 'json']);
    assert.equal(code, 0);
    assert.deepEqual(json(stdout), [
      {
        id: 'PR-0001',
        type: 'pr',
        title: '[TEST] Add login endpoint implementation',
        status: 'planning',
        normalized_status: 'open',
        priority: 'medium',
        assignee: 'masa',
        epic_id: 'EP-0045',
        issue_id: 'ISS-0170',
        parent_id: 'ISS-0170',
        path: 'prs/PR-0001-test-add-login-endpoint-implementation.md',
        format: 'tools',
      },
    ]);
    const pending = await cli(['tickets', 'list', '--root', join(FIXTURES, 'cmpm/tickets'), '--status', 'pending', '--format', 'json']);
    assert.equal((json(pending.stdout) as unknown[]).length, 9);
    const bad = await cli(['tickets', 'list', '--type', 'story']);
    assert.equal(bad.code, 2);
  });

  it('resolves the root from AITRACKDOWN_TASKS_DIR and the pytools config', async () => {
    const viaEnv = await cli(['tickets', 'list', '--format', 'json'], { cwd: await tempDir(), env: { AITRACKDOWN_TASKS_DIR: join(FIXTURES, 'trackdown-tools/examples') } });
    assert.equal((json(viaEnv.stdout) as unknown[]).length, 9);
    const py = await cli(['tickets', 'list', '--type', 'epic', '--format', 'json'], { cwd: join(FIXTURES, 'pytools') });
    assert.equal((json(py.stdout) as { format: string }[]).filter((t) => t.format === 'pytools').length, 12);
  });

  it('shows a ticket with its body', async () => {
    const { code, stdout } = await cli(['tickets', 'show', 'ISS-0161', '--root', join(FIXTURES, 'cmpm/tickets')]);
    assert.equal(code, 0);
    assert.match(stdout, /^ISS-0161: Test notes and reason functionality\n/);
    assert.match(stdout, /## Completion: 2025-07-19T15:14:49.169Z/);
    const missing = await cli(['tickets', 'show', 'ISS-9999', '--root', join(FIXTURES, 'cmpm/tickets')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no ticket ISS-9999/);
  });

  it('init, create, transition, complete and status --stats on a temp workspace', async () => {
    const cwd = await tempDir();
    assert.equal((await cli(['tickets', 'init', '--name', 'demo'], { cwd })).code, 0);
    const epic = await cli(['tickets', 'create', 'epic', 'Launch', '--format', 'json'], { cwd });
    assert.equal((json(epic.stdout) as { id: string }).id, 'EP-0001');
    const issue = await cli(['tickets', 'create', 'issue', 'Landing', 'page', '--epic', 'EP-0001', '--priority', 'high'], { cwd });
    assert.equal(issue.code, 0, issue.stderr);
    assert.match(issue.stdout, /created ISS-0001 \(planning\): issues\/ISS-0001-landing-page.md/);
    const task = await cli(['tickets', 'create', 'task', 'Hero image', '--issue', 'ISS-0001'], { cwd });
    assert.equal(task.code, 0, task.stderr);

    const illegal = await cli(['tickets', 'transition', 'ISS-0001', 'done'], { cwd });
    assert.equal(illegal.code, 1);
    assert.match(illegal.stderr, /Allowed next states: active, ready_for_engineering, won_t_do/);
    const moved = await cli(['tickets', 'transition', 'ISS-0001', 'active', '--reason', 'started', '--format', 'json'], { cwd });
    assert.equal((json(moved.stdout) as { status: string }).status, 'active');
    const text = await readFile(join(cwd, 'tasks/issues/ISS-0001-landing-page.md'), 'utf8');
    assert.match(text, /^status: active$/m);
    assert.match(text, /## State Change: .*\n\*\*Reason\*\*: started\n\*\*New Status\*\*: active\n$/);

    const done = await cli(['tickets', 'complete', 'ISS-0001', '--cascade', '--format', 'json'], { cwd });
    assert.deepEqual(
      (json(done.stdout) as { id: string }[]).map((t) => t.id),
      ['TSK-0001', 'ISS-0001'],
    );
    const stats = await cli(['status', '--stats', '--format', 'json'], { cwd });
    const counts = json(stats.stdout) as { total: number; open: number; byType: Record<string, number>; byStatus: Record<string, number> };
    assert.equal(counts.total, 3);
    assert.equal(counts.open, 1);
    assert.deepEqual(counts.byType, { epic: 1, issue: 1, task: 1 });
    assert.deepEqual(counts.byStatus, { planning: 1, completed: 2 });
    const textStats = await cli(['status', '--stats'], { cwd });
    assert.match(textStats.stdout, /By type:\n {2}epic +1/);
  });

  it('updates fields and archives', async () => {
    const cwd = await tempDir();
    await cli(['tickets', 'init'], { cwd });
    await cli(['tickets', 'create', 'issue', 'Docs'], { cwd });
    assert.equal((await cli(['tickets', 'update', 'ISS-0001'], { cwd })).code, 2);
    const updated = await cli(['tickets', 'update', 'ISS-0001', '--priority', 'critical', '--assignee', 'bob', '--tag', 'docs', '--format', 'json'], { cwd });
    assert.equal(updated.code, 0, updated.stderr);
    const shown = json((await cli(['tickets', 'show', 'ISS-0001', '--format', 'json'], { cwd })).stdout) as { priority: string; assignee: string; tags: string[] };
    assert.deepEqual([shown.priority, shown.assignee, shown.tags], ['critical', 'bob', ['docs']]);
    const archived = await cli(['tickets', 'archive', 'ISS-0001', '--format', 'json'], { cwd });
    assert.deepEqual(json(archived.stdout), { ...(json(updated.stdout) as object), status: 'archived', normalized_status: 'archived', path: 'issues/archive/ISS-0001-docs.md' });
  });

  it('refuses writes without the ticket.write permission', async () => {
    const cwd = await tempDir();
    await mkdir(join(cwd, '.claude-pm'), { recursive: true });
    await writeFile(join(cwd, '.claude-pm/policy.json'), JSON.stringify({ default_role: 'viewer' }));
    const result = await cli(['tickets', 'create', 'epic', 'Nope'], { cwd });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /ticket.write/);
  });

  it('validate reports malformed files and exits 1', async () => {
    const cwd = await tempDir();
    await cp(join(FIXTURES, 'trackdown-tools/examples'), join(cwd, 'tasks'), { recursive: true });
    assert.equal((await cli(['tickets', 'validate'], { cwd })).code, 0);
    await writeFile(join(cwd, 'tasks/ISS-0100-broken.md'), '---\nissue_id: ISS-0100\ntitle: [\n---\n');
    const result = await cli(['tickets', 'validate'], { cwd });
    assert.equal(result.code, 1);
    assert.match(result.stdout, /error: .*ISS-0100-broken.md:3: invalid YAML frontmatter/);
  });

  it('lists candidate roots, warns once about a fuller one and fails validate and status on a missing configured root', async () => {
    const ws = await tempDir();
    const issue = (id: string) => `---\nissue_id: ${id}\ntitle: ${id}\nstatus: planning\npriority: medium\ncreated_date: 2025-07-01T00:00:00.000Z\nupdated_date: 2025-07-01T00:00:00.000Z\n---\n`;
    await mkdir(join(ws, 'tasks/issues'), { recursive: true });
    await mkdir(join(ws, 'tickets/issues'), { recursive: true });
    await writeFile(join(ws, '.aitrackdown.json'), '{"rootDir": "./tasks"}');
    await writeFile(join(ws, 'tasks/issues/ISS-0001-a.md'), issue('ISS-0001'));
    for (const n of [2, 3, 4]) await writeFile(join(ws, `tickets/issues/ISS-000${n}-b.md`), issue(`ISS-000${n}`));

    const roots = await cli(['tickets', 'roots', '--format', 'json'], { cwd: ws });
    assert.equal(roots.code, 0);
    assert.deepEqual(
      (json(roots.stdout) as { candidates: { path: string; tickets: number; in_use: boolean }[] }).candidates.map((c) => [c.path, c.tickets, c.in_use]),
      [
        ['tickets', 3, false],
        ['tasks', 1, true],
      ],
    );
    // Run from inside the ticket tree: the same workspace, one warning naming the fuller folder.
    const list = await cli(['tickets', 'list', '--format', 'json'], { cwd: join(ws, 'tasks', 'issues') });
    assert.equal(list.code, 0);
    assert.deepEqual((json(list.stdout) as { id: string }[]).map((t) => t.id), ['ISS-0001']);
    assert.equal(list.stderr.match(/tickets holds 3 tickets, more than tasks \(1\)/g)?.length, 1);

    await writeFile(join(ws, '.aitrackdown.json'), '{"rootDir": "./gone"}');
    const validate = await cli(['tickets', 'validate', '--format', 'json'], { cwd: ws });
    assert.equal(validate.code, 1);
    const report = json(validate.stdout) as { root: string; errors: number; diagnostics: { message: string }[] };
    assert.equal(report.root, join(ws, 'tickets'));
    assert.ok(report.diagnostics.some((d) => /names the ticket folder \.\/gone, which does not exist; using tickets \(3 tickets\) instead/.test(d.message)));
    const status = await cli(['status'], { cwd: ws });
    assert.equal(status.code, 1);
    assert.match(status.stdout, /Tickets in .*tickets: 3/);
    assert.match(status.stderr, /does not exist/);
  });
});

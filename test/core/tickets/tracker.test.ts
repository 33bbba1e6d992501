import assert from 'node:assert/strict';
import { cp, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parse } from 'yaml';
import { IllegalTransitionError } from '../../../src/core/tickets/status';
import { initTracker, TicketNotFoundError, TicketTracker } from '../../../src/core/tickets/tracker';
import { tempDir } from '../../helpers/tempDir';
import { PYTOOLS_ROOT, TOOLS_EXAMPLES } from './fixtures';

const NOW = new Date('2026-02-03T04:05:06.007Z');
const frontmatter = (text: string) => parse(text.split(/^---$/m)[1]) as Record<string, unknown>;

async function freshToolsTracker(): Promise<{ workspace: string; tracker: TicketTracker }> {
  const workspace = await tempDir();
  await initTracker(workspace, { name: 'demo', assignee: 'alice' });
  return { workspace, tracker: await TicketTracker.open(workspace, { now: () => NOW, actor: 'tester' }) };
}

describe('ticket tracker (ai-trackdown-tools format)', () => {
  it('init creates config, counters and folders like aitrackdown init', async () => {
    const workspace = await tempDir();
    const { created } = await initTracker(workspace, { name: 'demo' });
    assert.equal(created.length, 6);
    const config = parse(await readFile(join(workspace, '.ai-trackdown/config.yaml'), 'utf8'));
    assert.equal(config.tasks_directory, 'tasks');
    assert.deepEqual(JSON.parse(await readFile(join(workspace, '.ai-trackdown/counters.json'), 'utf8')), { epic: 1, issue: 1, task: 1, pr: 1 });
    assert.deepEqual((await readdir(join(workspace, 'tasks'))).sort(), ['epics', 'issues', 'prs', 'tasks']);
    assert.deepEqual((await initTracker(workspace)).created, []);
  });

  it('creates epic → issue → task with IDs from counters.json, slugged names and links on both sides', async () => {
    const { workspace, tracker } = await freshToolsTracker();
    const epic = await tracker.create({ type: 'epic', title: 'Payments: Stripe / PayPal!' });
    assert.equal(epic.id, 'EP-0001');
    assert.equal(epic.relPath, 'epics/EP-0001-payments-stripe-paypal.md');
    assert.deepEqual(epic.assignees, ['alice']);
    const issue = await tracker.create({ type: 'issue', title: 'Checkout page', epicId: 'EP-0001', priority: 'high' });
    const task = await tracker.create({ type: 'task', title: 'Card form', issueId: issue.id });
    assert.equal(issue.id, 'ISS-0001');
    assert.equal(task.id, 'TSK-0001');
    assert.equal(task.epicId, 'EP-0001');
    assert.equal(task.parentId, 'ISS-0001');
    const counters = JSON.parse(await readFile(join(workspace, '.ai-trackdown/counters.json'), 'utf8'));
    assert.deepEqual(counters, { epic: 2, issue: 2, task: 2, pr: 1 });
    const epicData = frontmatter(await readFile(tracker.index.get('EP-0001')!.path, 'utf8'));
    assert.deepEqual(epicData.related_issues, ['ISS-0001']);
    const issueText = await readFile(tracker.index.get('ISS-0001')!.path, 'utf8');
    assert.deepEqual(frontmatter(issueText).related_tasks, ['TSK-0001']);
    assert.equal(frontmatter(issueText).epic_id, 'EP-0001');
    assert.match(issueText, /\n# Issue: Checkout page\n\n## Description\n/);
    assert.deepEqual(
      tracker.index.children('EP-0001').map((t) => t.id),
      ['ISS-0001'],
    );
  });

  it('refuses bad parents, unknown priorities and orphan tasks', async () => {
    const { tracker } = await freshToolsTracker();
    await tracker.create({ type: 'epic', title: 'E' });
    await assert.rejects(tracker.create({ type: 'task', title: 'orphan' }), /belongs to an issue/);
    await assert.rejects(tracker.create({ type: 'issue', title: 'x', epicId: 'EP-0404' }), TicketNotFoundError);
    await assert.rejects(tracker.create({ type: 'task', title: 'x', issueId: 'EP-0001' }), /not an issue/);
    await assert.rejects(tracker.create({ type: 'issue', title: 'x', priority: 'urgent' }), /priority must be one of/);
  });

  it('never reuses an ID already on disk, even when counters.json lags behind', async () => {
    const { workspace, tracker } = await freshToolsTracker();
    await writeFile(join(workspace, 'tasks/issues/ISS-0007-old.md'), '---\nissue_id: ISS-0007\ntitle: Old\nstatus: planning\n---\n');
    tracker.index.refreshFile(join(workspace, 'tasks/issues/ISS-0007-old.md'));
    assert.equal((await tracker.create({ type: 'issue', title: 'New' })).id, 'ISS-0008');
  });

  it('transitions along the documented graph and refuses an illegal move with the allowed states', async () => {
    const workspace = await tempDir();
    await initTracker(workspace);
    let clock = new Date('2026-01-01T00:00:00.000Z');
    const tracker = await TicketTracker.open(workspace, { now: () => clock, actor: 'tester' });
    const issue = await tracker.create({ type: 'issue', title: 'Flow' });
    const before = await readFile(issue.path, 'utf8');
    clock = NOW;
    await tracker.transition(issue.id, 'active');
    const after = await readFile(issue.path, 'utf8');
    assert.deepEqual(
      after.split('\n').filter((line, i) => before.split('\n')[i] !== line),
      ['status: active', `updated_date: ${NOW.toISOString()}`],
    );
    await assert.rejects(tracker.transition(issue.id, 'done'), (error: unknown) => {
      assert.ok(error instanceof IllegalTransitionError);
      assert.deepEqual(error.allowed, ['ready_for_engineering', 'ready_for_qa', 'completed', 'won_t_do']);
      assert.match(error.message, /Allowed next states: ready_for_engineering, ready_for_qa, completed, won_t_do/);
      return true;
    });
    const qa = await tracker.transition(issue.id, 'ready_for_qa', { reason: 'Implementation merged' });
    assert.equal(qa.state, 'ready_for_qa');
    assert.equal(qa.status, 'active');
    assert.equal(qa.normalizedStatus, 'review');
    const text = await readFile(issue.path, 'utf8');
    const data = frontmatter(text);
    assert.deepEqual(data.state_metadata, { transitioned_at: NOW.toISOString(), transitioned_by: 'tester', previous_state: 'active', automation_eligible: false, transition_reason: 'Implementation merged' });
    assert.ok(text.endsWith(`## State Change: ${NOW.toISOString()}\n**Reason**: Implementation merged\n**New Status**: ready_for_qa\n`));
    assert.deepEqual(tracker.nextStates(issue.id), ['ready_for_deployment', 'won_t_do']);
  });

  it('completes with cascade to open children and records the completion', async () => {
    const { tracker } = await freshToolsTracker();
    await tracker.create({ type: 'issue', title: 'Parent' });
    await tracker.create({ type: 'task', title: 'Child one', issueId: 'ISS-0001' });
    await tracker.create({ type: 'task', title: 'Child two', issueId: 'ISS-0001' });
    const alone = await tracker.complete('TSK-0002');
    assert.deepEqual(
      alone.map((t) => t.id),
      ['TSK-0002'],
    );
    const changed = await tracker.complete('ISS-0001', { cascade: true, notes: 'all shipped' });
    assert.deepEqual(
      changed.map((t) => t.id),
      ['TSK-0001', 'ISS-0001'],
    );
    const issue = tracker.require('ISS-0001');
    assert.equal(issue.status, 'completed');
    const text = await readFile(issue.path, 'utf8');
    assert.equal(frontmatter(text).completion_percentage, 100);
    assert.ok(text.endsWith(`## Completion: ${NOW.toISOString()}\n**Status**: completed\n**Notes**: all shipped\n`));
    assert.equal(tracker.index.counts().open, 0);
  });

  it('appends notes and archives into archive/', async () => {
    const { tracker } = await freshToolsTracker();
    const issue = await tracker.create({ type: 'issue', title: 'Noted' });
    await tracker.addNote(issue.id, 'first finding');
    assert.ok((await readFile(issue.path, 'utf8')).endsWith(`## Notes\n\n## Note: ${NOW.toISOString()}\nfirst finding\n`));
    await assert.rejects(tracker.addNote(issue.id, '  '), /empty/);
    const archived = await tracker.archive(issue.id);
    assert.equal(archived.relPath, 'issues/archive/ISS-0001-noted.md');
    assert.equal(archived.status, 'archived');
    assert.equal(tracker.index.counts().total, 1);
  });

  it('updates fields on a real example with comments and unknown keys, touching only those lines', async () => {
    const workspace = await tempDir();
    await cp(TOOLS_EXAMPLES, join(workspace, 'tasks'), { recursive: true });
    const tracker = await TicketTracker.open(workspace, { now: () => NOW });
    const path = tracker.require('TSK-EX001').path;
    const before = await readFile(path, 'utf8');
    await tracker.update('TSK-EX001', { priority: 'critical', assignee: 'bob' });
    const after = await readFile(path, 'utf8');
    assert.deepEqual(
      after.split('\n').filter((line, i) => before.split('\n')[i] !== line),
      ['priority: critical', 'assignee: bob', `updated_date: ${NOW.toISOString()}`],
    );
    assert.ok(after.includes('status: active  # Legacy field for backward compatibility'));
  });
});

describe('ticket tracker: transition walks', () => {
  it('property: any walk along the allowed states keeps other keys, comments and the body prefix intact', async () => {
    const workspace = await tempDir();
    await initTracker(workspace);
    const tracker = await TicketTracker.open(workspace, { now: () => NOW });
    const issue = await tracker.create({ type: 'issue', title: 'Walk' });
    const original = `${(await readFile(issue.path, 'utf8')).replace('sync_status: local', 'sync_status: local # kept comment\ncustom_key: {nested: [1, 2]}')}`;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), async (choices) => {
        await writeFile(issue.path, original);
        tracker.index.refreshFile(issue.path);
        for (const choice of choices) {
          const next = tracker.nextStates(issue.id);
          if (next.length === 0) break;
          await tracker.transition(issue.id, next[choice % next.length]);
        }
        const text = await readFile(issue.path, 'utf8');
        const before = frontmatter(original);
        const after = frontmatter(text);
        for (const key of Object.keys(before)) if (!['status', 'state', 'state_metadata', 'updated_date'].includes(key)) assert.deepEqual(after[key], before[key], key);
        assert.ok(text.includes('sync_status: local # kept comment\ncustom_key: {nested: [1, 2]}'));
        assert.ok(text.endsWith(original.slice(original.indexOf('\n---\n') + 5)));
        const reread = tracker.require(issue.id);
        assert.equal(reread.state ?? reread.status, after.state ?? after.status);
      }),
      { numRuns: 25 },
    );
  });
});

describe('ticket tracker (ai-trackdown-pytools format)', () => {
  it('creates bare-ID files with sorted keys and comments under ## Comments', async () => {
    const workspace = await tempDir();
    await cp(PYTOOLS_ROOT, workspace, { recursive: true });
    const tracker = await TicketTracker.open(workspace, { now: () => NOW, actor: 'tester' });
    assert.equal(tracker.location.root, join(workspace, 'tasks'));
    assert.equal(tracker.format(), 'pytools');
    const task = await tracker.create({ type: 'task', title: 'Port the parser', issueId: 'ISS-0010' });
    assert.equal(task.id, 'TSK-0035');
    assert.equal(task.relPath, 'tasks/TSK-0035.md');
    assert.equal(task.parentId, 'ISS-0010');
    assert.equal(task.epicId, 'EP-0008');
    const text = await readFile(task.path, 'utf8');
    const keys = Object.keys(frontmatter(text));
    assert.deepEqual(keys, [...keys].sort());
    const parentData = frontmatter(await readFile(tracker.require('ISS-0010').path, 'utf8'));
    assert.deepEqual(parentData.child_tasks, ['TSK-0035']);
    await tracker.transition(task.id, 'in_progress');
    await assert.rejects(tracker.transition(task.id, 'testing'), IllegalTransitionError);
    await tracker.addNote(task.id, 'looks good');
    await tracker.addNote(task.id, 'second');
    const after = await readFile(task.path, 'utf8');
    assert.equal(after.match(/^## Comments$/gm)?.length, 1);
    assert.ok(after.endsWith('### Comment by tester - 2026-02-03 04:05:06\nlooks good\n\n### Comment by tester - 2026-02-03 04:05:06\nsecond\n'));
    assert.equal(frontmatter(after).updated_at, '2026-02-03T04:05:06.007000');
  });
});

// Small trees that reproduce what real repositories do: tickets outside the configured root, a config naming a
// folder that is gone, type folders under .ai-trackdown/, contradicting fields, impossible links, closing banners,
// notes named like tickets and per-type statuses.

import assert from 'node:assert/strict';
import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { findTicketWorkspace, resolveTicketRoot } from '../../../src/core/tickets/root';
import { TicketIndex } from '../../../src/core/tickets/ticketIndex';
import { withTicketFrontmatter } from '../../../src/core/tickets/newTicket';
import { parseTicketFile } from '../../../src/core/tickets/reader';
import { initTracker, TicketTracker } from '../../../src/core/tickets/tracker';
import { tempDir } from '../../helpers/tempDir';

async function tree(files: Record<string, string>): Promise<string> {
  const root = await tempDir();
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

/** A tools-format ticket; `extra` lines go at the end of the frontmatter. */
function tools(id: string, extra = ''): string {
  const key = id.startsWith('EP') ? 'epic_id' : id.startsWith('TSK') ? 'task_id' : id.startsWith('PR') ? 'pr_id' : 'issue_id';
  return `---\n${key}: ${id}\ntitle: Ticket ${id}\ndescription: ''\nstatus: planning\npriority: medium\nassignee: dev\ncreated_date: 2025-07-01T00:00:00.000Z\nupdated_date: 2025-07-01T00:00:00.000Z\n${extra}---\n\n# ${id}\n`;
}

function many(folder: string, prefix: string, n: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 1; i <= n; i++) {
    const id = `${prefix}-${String(i).padStart(4, '0')}`;
    files[`${folder}/${id}-generated.md`] = tools(id);
  }
  return files;
}

describe('ticket roots on real-world layouts', () => {
  it('keeps the configured root but warns, naming the folder that holds more tickets', async () => {
    const ws = await tree({ '.aitrackdown.json': '{"rootDir": "./tasks"}', ...many('tasks/issues', 'ISS', 2), ...many('tickets/issues', 'ISS', 25) });
    const location = await resolveTicketRoot(ws);
    assert.equal(location.root, join(ws, 'tasks'));
    assert.equal(location.source, 'legacy');
    assert.match(location.notice!, /^tickets holds 25 tickets, more than tasks \(2\)/);
    assert.deepEqual(
      location.candidates.map((c) => [c.relPath, c.tickets]),
      [
        ['tickets', 25],
        ['tasks', 2],
      ],
    );
  });

  it('uses the folder with tickets when the configured one is missing, and says so as an error', async () => {
    const ws = await tree({ '.ai-trackdown/config.yaml': 'name: x\nversion: 1.0.0\ntasks_directory: work\n', ...many('tasks/issues', 'ISS', 11) });
    const location = await resolveTicketRoot(ws);
    assert.equal(location.root, join(ws, 'tasks'));
    assert.equal(location.source, 'discovered');
    assert.equal(location.configuredRootMissing, true);
    assert.deepEqual(
      location.diagnostics.map((d) => [d.severity, d.line, d.key]),
      [['error', 3, 'tasks_directory']],
    );
    assert.match(location.diagnostics[0].message, /names the ticket folder work, which does not exist; using tasks \(11 tickets\) instead/);
    const tracker = await TicketTracker.open(ws);
    assert.equal(tracker.index.counts().total, 11);
  });

  it('finds type folders under .ai-trackdown/ when nothing else holds tickets', async () => {
    const ws = await tree({ '.ai-trackdown/config.yaml': 'name: x\nversion: 1.0.0\n', ...many('.ai-trackdown/issues', 'ISS', 10) });
    const location = await resolveTicketRoot(ws);
    assert.equal(location.root, join(ws, '.ai-trackdown'));
    assert.equal(location.source, 'discovered');
    assert.equal(location.candidates[0].tickets, 10);
  });

  it('walks up from inside a ticket tree to the workspace', async () => {
    const ws = await tree({ '.aitrackdown.json': '{"rootDir": "./tasks"}', ...many('tasks/issues', 'ISS', 3) });
    assert.equal(await findTicketWorkspace(join(ws, 'tasks', 'issues')), ws);
    const bare = await tree({ ...many('tickets/issues', 'ISS', 2), ...many('tasks/tasks', 'TSK', 1) });
    assert.equal(await findTicketWorkspace(join(bare, 'tickets', 'issues')), bare);
    assert.equal(await findTicketWorkspace(join(bare, 'tasks', 'tasks')), bare);
  });

  it('never reads tickets through a conventional folder that links out of the workspace', async () => {
    const outside = await tree({ ...many('issues', 'ISS', 4) });
    const ws = await tree({ ...many('docs/tickets/issues', 'ISS', 1) });
    await symlink(outside, join(ws, 'tickets'));
    await symlink(outside, join(ws, 'tasks'));
    const location = await resolveTicketRoot(ws);
    assert.deepEqual(
      location.candidates.map((c) => c.relPath),
      ['docs/tickets'],
    );
    assert.equal(location.root, join(ws, 'docs/tickets'));
    assert.match(location.diagnostics.map((d) => d.message).join('\n'), /the default ticket folder tasks is a link out of the workspace; not read/);
    assert.equal(location.escapesWorkspace, false);
    // With nothing else to fall back on, the linked default folder is neither read nor written through.
    const bare = await tree({});
    await symlink(outside, join(bare, 'tasks'));
    const tracker = await TicketTracker.open(bare);
    assert.equal(tracker.index.counts().total, 0);
    await assert.rejects(tracker.create({ type: 'epic', title: 'Escape' }), /links out of the workspace/);
    await assert.rejects(initTracker(bare), /links out of the workspace/);
    assert.deepEqual((await readdir(join(outside, 'issues'))).length, 4);
  });

  it('never follows the search into node_modules or past its folder budget', async () => {
    const ws = await tree({ ...many('node_modules/pkg/tickets/issues', 'ISS', 3), ...many('docs/tickets/issues', 'ISS', 2) });
    const location = await resolveTicketRoot(ws);
    assert.deepEqual(
      location.candidates.map((c) => c.relPath),
      ['docs/tickets'],
    );
  });
});

describe('ticket problems real trees have', () => {
  it('reports a state that contradicts the status, with both values and lines, and lets the state win', async () => {
    const ws = await tree({ 'tasks/issues/ISS-0001-x.md': tools('ISS-0001', 'state: ready_for_engineering\n').replace('status: planning', 'status: completed'), 'tasks/issues/ISS-0002-y.md': tools('ISS-0002', 'state: active\n') });
    const index = await TicketIndex.load(join(ws, 'tasks'));
    const conflicts = index.diagnostics().filter((d) => d.message.includes('contradicts'));
    assert.equal(conflicts.length, 1);
    assert.equal(conflicts[0].line, 10);
    assert.match(conflicts[0].message, /state 'ready_for_engineering' contradicts status 'completed' \(line 5\)/);
    assert.equal(index.get('ISS-0001')!.normalizedStatus, 'open');
    assert.equal(index.get('ISS-0002')!.statusConflict, undefined);
  });

  it('reports self-parents and parent cycles, and never nests a ticket under itself', async () => {
    const ws = await tree({
      'tasks/epics/ISS-0005-self.md': tools('ISS-0005', 'epic_id: ISS-0005\n'),
      'tasks/tasks/TSK-0001-a.md': tools('TSK-0001', 'issue_id: ISS-0001\nparent_task: TSK-0002\n'),
      'tasks/tasks/TSK-0002-b.md': tools('TSK-0002', 'issue_id: ISS-0001\nparent_task: TSK-0001\n'),
      'tasks/issues/ISS-0001-parent.md': tools('ISS-0001'),
    });
    const index = await TicketIndex.load(join(ws, 'tasks'));
    const diagnostics = index.diagnostics();
    const self = diagnostics.find((d) => d.message.includes('names itself'))!;
    assert.equal(self.line, 10);
    assert.equal(self.key, 'epic_id');
    const cycles = diagnostics.filter((d) => d.message.startsWith('parent cycle'));
    assert.deepEqual(cycles.map((d) => d.message).sort(), ['parent cycle: TSK-0001 → TSK-0002 → TSK-0001; TSK-0001 is shown at the top level', 'parent cycle: TSK-0002 → TSK-0001 → TSK-0002; TSK-0001 is shown at the top level']);
    assert.deepEqual(
      index.roots().map((t) => t.id),
      ['ISS-0001', 'ISS-0005', 'TSK-0001'],
    );
    assert.deepEqual(index.children('ISS-0005'), []);
    assert.deepEqual(
      index.children('TSK-0001').map((t) => t.id),
      ['TSK-0002'],
    );
    assert.deepEqual(index.children('TSK-0002'), []);
    // Walking the tree from its roots ends: every ticket shows exactly once.
    const seen: string[] = [];
    const walk = (id: string, depth: number): void => {
      assert.ok(depth < 10, `${id} nests too deep`);
      seen.push(id);
      for (const child of index.children(id)) walk(child.id, depth + 1);
    };
    for (const root of index.roots()) walk(root.id, 0);
    assert.deepEqual(seen.sort(), ['ISS-0001', 'ISS-0005', 'TSK-0001', 'TSK-0002']);
  });

  it('counts duplicates among tickets only and says what a note named like a ticket lacks', async () => {
    const ws = await tree({
      'tasks/epics/EP-0001-real.md': tools('EP-0001'),
      'tasks/epics/EP-0001-implementation-notes.md': '# EP-0001 implementation notes\n\nWhat we learnt.\n',
      'tasks/issues/ISS-0022-hand-written.md': '# Fix the login\n\nSteps...\n',
    });
    const index = await TicketIndex.load(join(ws, 'tasks'));
    assert.deepEqual(index.duplicates(), []);
    assert.equal(index.counts().duplicateIds, 0);
    const info = index.diagnostics().filter((d) => d.severity === 'info');
    assert.equal(info.length, 2);
    assert.match(info.find((d) => d.file.endsWith('ISS-0022-hand-written.md'))!.message, /named like ticket ISS-0022 but has no frontmatter.*with issue_id and title/);
    // A new issue never reuses a number a note is named after.
    assert.equal(index.highestNumber('ISS'), 22);
  });

  it('reads the frontmatter below a TICKET CLOSED banner as an archived ticket', async () => {
    const banner = "**TICKET CLOSED - WON'T DO**\n\n**Closure Date**: 2025-07-14\n\n";
    const ws = await tree({ 'tasks/issues/ISS-0080-closed.md': banner + tools('ISS-0080'), 'tasks/issues/ISS-0081-open.md': tools('ISS-0081') });
    const index = await TicketIndex.load(join(ws, 'tasks'));
    const closed = index.get('ISS-0080')!;
    assert.equal(closed.archivedByBanner, true);
    assert.equal(closed.normalizedStatus, 'archived');
    assert.equal(index.counts().total, 2);
    assert.equal(index.counts().open, 1);
    assert.equal(index.counts().unparsed, 0);
  });

  it('checks statuses against the list of each type, in both formats', async () => {
    const pytools = (id: string, status: string) => `---\nid: ${id}\ntitle: ${id}\nstatus: ${status}\ncreated_at: 2025-01-01T00:00:00\nupdated_at: 2025-01-01T00:00:00\nassignees: []\n---\n`;
    const ws = await tree({
      'tickets/prs/PR-0001.md': pytools('PR-0001', 'cancelled'),
      'tickets/prs/PR-0002.md': pytools('PR-0002', 'merged'),
      'tickets/bugs/BUG-0001.md': pytools('BUG-0001', 'closed'),
      'tickets/tasks/TSK-0001.md': pytools('TSK-0001', 'closed'),
      'tickets/epics/EP-0001.md': pytools('EP-0001', 'testing'),
      'tasks/prs/PR-0003-x.md': tools('PR-0003', 'issue_id: ISS-0001\npr_status: shipped\n'),
    });
    const py = await TicketIndex.load(join(ws, 'tickets'));
    const flagged = py.diagnostics().filter((d) => d.key === 'status').map((d) => d.file.split('/').pop());
    assert.deepEqual(flagged.sort(), ['EP-0001.md', 'PR-0001.md', 'TSK-0001.md']);
    assert.match(py.diagnostics().find((d) => d.file.endsWith('PR-0001.md'))!.message, /'cancelled' is not a documented ai-trackdown-pytools status for a pr \(draft, ready_for_review/);
    const tl = await TicketIndex.load(join(ws, 'tasks'));
    assert.match(tl.diagnostics().find((d) => d.key === 'pr_status')!.message, /'shipped' is not a documented ai-trackdown-tools pr_status for a pr/);
  });

  it('turns a note named like a ticket into that ticket, keeping its text as the body', () => {
    const note = '# Issue: Fix the login page\n\nSteps to reproduce…\n';
    for (const format of ['tools', 'pytools'] as const) {
      const text = withTicketFrontmatter(note, 'ISS-0022', format, new Date('2026-01-01T00:00:00Z'));
      assert.ok(text.endsWith(`\n${note}`), format);
      const parsed = parseTicketFile(text, '/r/issues/ISS-0022-fix.md', '/r');
      assert.equal(parsed.kind, 'ticket', format);
      if (parsed.kind !== 'ticket') continue;
      assert.deepEqual([parsed.ticket.id, parsed.ticket.type, parsed.ticket.title, parsed.ticket.format], ['ISS-0022', 'issue', 'Fix the login page', format]);
      assert.deepEqual(parsed.diagnostics, []);
    }
    assert.throws(() => withTicketFrontmatter(note, 'CMT-0001', 'tools', new Date()), /not an epic, issue, task, pr or bug ID/);
  });
});


import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { trackerCompliance } from '../../../src/core/tickets/compliance';
import { listTicketFiles } from '../../../src/core/tickets/scan';
import { TicketIndex } from '../../../src/core/tickets/ticketIndex';
import { tempDir } from '../../helpers/tempDir';
import { CMPM_TICKETS } from './fixtures';

const ticket = (id: string, extra = '') => `---\n${id.startsWith('EP') ? 'epic_id' : 'issue_id'}: ${id}\ntitle: Ticket ${id}\nstatus: planning\n${extra}---\n`;

describe('ticket index', () => {
  it('lists files with the paths join gives, however the root is spelled', async () => {
    const root = await tempDir();
    await mkdir(join(root, 'issues/done'), { recursive: true });
    for (const file of ['issues/ISS-0001-a.md', 'issues/done/ISS-0002-b.md', 'README.md']) await writeFile(join(root, file), ticket('ISS-0001'));
    const spellings = [root, `${root}/`, join(root, 'issues', '..') + '/./', relative(process.cwd(), root) || '.', join(relative(process.cwd(), root), '.')];
    for (const spelling of spellings) {
      const expected = ['README.md', 'issues/ISS-0001-a.md', 'issues/done/ISS-0002-b.md'].map((file) => join(spelling, file));
      assert.deepEqual(await listTicketFiles(spelling), expected, spelling);
    }
    // From inside the root, '.' lists bare relative paths, as join('.', name) does.
    const previous = process.cwd();
    process.chdir(root);
    try {
      assert.deepEqual(await listTicketFiles('.'), ['README.md', 'issues/ISS-0001-a.md', 'issues/done/ISS-0002-b.md']);
    } finally {
      process.chdir(previous);
    }
  });

  it('updates incrementally: counts, duplicates, children and removal', async () => {
    const root = await tempDir();
    await mkdir(join(root, 'issues'));
    await writeFile(join(root, 'issues/ISS-0001-a.md'), ticket('ISS-0001', 'epic_id: EP-0001\n'));
    const index = await TicketIndex.load(root);
    assert.deepEqual(index.counts().byStatus, { planning: 1 });

    const dup = join(root, 'issues/ISS-0001-copy.md');
    await writeFile(dup, ticket('ISS-0001'));
    index.refreshFile(dup);
    assert.equal(index.counts().duplicateIds, 1);
    assert.equal(index.get('ISS-0001')!.relPath, 'issues/ISS-0001-a.md');

    await writeFile(dup, ticket('ISS-0002').replace('planning', 'completed'));
    index.refreshFile(dup);
    assert.equal(index.counts().duplicateIds, 0);
    assert.deepEqual(index.counts().byStatus, { planning: 1, completed: 1 });
    assert.equal(index.counts().open, 1);

    const epic = join(root, 'EP-0001.md');
    index.setFileText(epic, ticket('EP-0001'));
    assert.deepEqual(
      index.children('EP-0001').map((t) => t.id),
      ['ISS-0001'],
    );
    assert.deepEqual(
      index.roots().map((t) => t.id),
      ['EP-0001', 'ISS-0002'],
    );

    await rm(dup);
    index.refreshFile(dup);
    assert.equal(index.get('ISS-0002'), undefined);
    assert.equal(index.counts().total, 2);
  });

  it('attaches tools comments to their issue without claiming IDs or counting as open', async () => {
    const root = await tempDir();
    await mkdir(join(root, 'issues/comments/ISS-0001'), { recursive: true });
    await mkdir(join(root, 'issues/comments/ISS-0002'), { recursive: true });
    await writeFile(join(root, 'issues/ISS-0001-a.md'), ticket('ISS-0001'));
    const comment = (issue: string) => `---\nid: COMMENT-0001\nissueId: ${issue}\nauthor: masa\ncreatedAt: 2025-07-19T15:00:16.943Z\n---\nLooks good.\n`;
    await writeFile(join(root, 'issues/comments/ISS-0001/COMMENT-0001.md'), comment('ISS-0001'));
    await writeFile(join(root, 'issues/comments/ISS-0002/COMMENT-0001.md'), comment('ISS-0002'));
    const index = await TicketIndex.load(root);
    assert.deepEqual(index.counts().byType, { issue: 1, comment: 2 });
    assert.equal(index.counts().open, 1);
    assert.equal(index.duplicates().length, 0);
    const [child] = index.children('ISS-0001');
    assert.equal(child.type, 'comment');
    assert.deepEqual(child.assignees, ['masa']);
    assert.deepEqual(index.diagnostics(), []);
  });

  it('reads PRs from their status folders and skips templates', async () => {
    const root = await tempDir();
    const pr = (id: string, status: string) => `---\npr_id: ${id}\nissue_id: ISS-0001\ntitle: PR ${id}\nstatus: active\npr_status: ${status}\n---\n`;
    for (const [dir, id, status] of [
      ['prs/draft', 'PR-0001', 'draft'],
      ['prs/active/review', 'PR-0002', 'review'],
      ['prs/merged', 'PR-0003', 'merged'],
    ]) {
      await mkdir(join(root, dir), { recursive: true });
      await writeFile(join(root, dir, `${id}-x.md`), pr(id, status));
    }
    await mkdir(join(root, 'templates'));
    await writeFile(join(root, 'templates/issue-default.md'), '---\ntitle: template\n---\n');
    const index = await TicketIndex.load(root);
    assert.deepEqual(index.counts().byType, { pr: 3 });
    assert.equal(index.get('PR-0002')!.relPath, 'prs/active/review/PR-0002-x.md');
    assert.equal(index.get('PR-0002')!.parentId, 'ISS-0001');
  });

  it('answers queries by type, status group, priority, assignee, tag, epic and text on real data', async () => {
    const index = await TicketIndex.load(CMPM_TICKETS);
    assert.equal(index.query({ type: 'epic' }).length, 32);
    assert.equal(index.query({ status: 'pending' }).length, 9);
    // 'done' names a group: completed, complete, done and resolved all count.
    assert.equal(index.query({ status: 'done' }).length, 68);
    assert.equal(index.query({ status: 'resolved' }).length, 1);
    assert.equal(index.query({ type: 'issue', priority: 'critical' }).length, index.tickets().filter((t) => t.type === 'issue' && t.priority === 'critical').length);
    assert.ok(index.query({ assignee: 'masa' }).length > 100);
    assert.ok(index.query({ epic: 'EP-0001' }).some((t) => t.id === 'ISS-0165'));
    assert.deepEqual(
      index.query({ text: 'test notes and reason' }).map((t) => t.id),
      ['ISS-0161'],
    );
  });
});

describe('tracker compliance', () => {
  it('fails an uninitialised workspace with the init command as fix', async () => {
    const items = await trackerCompliance(await tempDir());
    assert.equal(items.length, 1);
    assert.equal(items[0].passed, false);
    assert.equal(items[0].fixCommand, 'claudePm.tickets.init');
  });

  it('reports duplicate IDs and malformed files', async () => {
    const ws = await tempDir();
    await mkdir(join(ws, 'tasks/issues'), { recursive: true });
    await writeFile(join(ws, 'tasks/issues/ISS-0001-a.md'), ticket('ISS-0001'));
    await writeFile(join(ws, 'tasks/issues/ISS-0001-b.md'), ticket('ISS-0001'));
    await writeFile(join(ws, 'tasks/issues/ISS-0003-c.md'), '---\ntitle: [\n---\n');
    const items = await trackerCompliance(ws);
    assert.deepEqual(
      items.map((i) => [i.id, i.passed]),
      [
        ['tickets.initialised', true],
        ['tickets.unique-ids', false],
        ['tickets.well-formed', false],
      ],
    );
    assert.match(items[1].detail, /ISS-0001/);
    assert.match(items[2].detail, /issues\/ISS-0003-c.md/);
  });
});

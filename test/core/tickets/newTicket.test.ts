import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatId, renderNewTicket, slugify, type CreatableType } from '../../../src/core/tickets/newTicket';
import { parseTicketFile } from '../../../src/core/tickets/reader';
import { allowedTransitions, normalizeStatus } from '../../../src/core/tickets/status';

describe('new tickets', () => {
  it('slugs titles as the tools do and pads IDs to 4 digits', () => {
    assert.equal(slugify('Implement /cmpm-dashboard slash command'), 'implement-cmpm-dashboard-slash-command');
    assert.equal(slugify('Placeholder Epic - EP-0001'), 'placeholder-epic-ep-0001');
    assert.equal(slugify('Remove ticketing agent references from framework/CLAUDE.md'), 'remove-ticketing-agent-references-from-frameworkcl');
    assert.equal(slugify('¡¿ ?!'), '');
    assert.equal(formatId('ISS', 42), 'ISS-0042');
    assert.equal(formatId('EP', 12345), 'EP-12345');
  });

  it('property: every rendered ticket reads back with its fields, in both formats, without warnings', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<CreatableType>('epic', 'issue', 'task', 'pr', 'bug'),
        fc.constantFrom('tools' as const, 'pytools' as const),
        fc.string({ minLength: 1, maxLength: 60 }).filter((s) => s.trim().length > 0 && !s.includes('\u0000')),
        fc.string({ maxLength: 80 }).filter((s) => !s.includes('\u0000')),
        fc.integer({ min: 1, max: 9999 }),
        (type, format, title, description, n) => {
          const prefix = { epic: 'EP', issue: 'ISS', task: 'TSK', pr: 'PR', bug: 'BUG' }[type];
          const id = formatId(prefix, n);
          const text = renderNewTicket(format, { id, type, title: title.trim(), description, priority: 'high', tags: ['x'], epicId: type === 'epic' ? undefined : 'EP-0001', issueId: type === 'task' || type === 'pr' ? 'ISS-10000' : undefined, parentId: type === 'epic' ? undefined : 'ISS-10000', now: new Date('2026-01-01T00:00:00Z'), assignee: 'alice' });
          const parsed = parseTicketFile(text, `/r/x/${id}.md`, '/r');
          assert.equal(parsed.kind, 'ticket', text);
          if (parsed.kind !== 'ticket') return;
          assert.deepEqual(parsed.diagnostics, []);
          const t = parsed.ticket;
          assert.deepEqual([t.id, t.type, t.format, t.title, t.description, t.priority, t.assignees, t.normalizedStatus], [id, type, format, title.trim(), description.trim() ? description : '', 'high', ['alice'], 'open']);
          if (type !== 'epic') assert.equal(t.epicId, 'EP-0001');
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('statuses', () => {
  it('normalises spelling variants of real data', () => {
    assert.deepEqual(
      ["won't_do", 'Won’t Do', 'In-Progress', 'complete', 'resolved', 'pending', 'ready_for_qa', 'on_hold', 'whatever'].map(normalizeStatus),
      ['cancelled', 'cancelled', 'in_progress', 'done', 'done', 'open', 'review', 'blocked', 'open'],
    );
  });

  it('places off-enum statuses in the graph by their group', () => {
    assert.deepEqual(allowedTransitions('tools', 'issue', 'pending'), ['active', 'ready_for_engineering', 'won_t_do']);
    assert.deepEqual(allowedTransitions('tools', 'issue', 'resolved'), ['archived']);
    assert.deepEqual(allowedTransitions('tools', 'issue', 'archived'), []);
    assert.deepEqual(allowedTransitions('pytools', 'issue', 'in_progress'), ['testing', 'completed', 'blocked', 'open', 'cancelled']);
    assert.deepEqual(allowedTransitions('pytools', 'task', 'in_progress'), ['completed', 'blocked', 'open', 'cancelled']);
    assert.deepEqual(allowedTransitions('pytools', 'epic', 'open'), ['in_progress', 'on_hold', 'cancelled']);
  });
});

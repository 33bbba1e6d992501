import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { parseTicketFile } from '../../../src/core/tickets/reader';
import { listTicketFiles } from '../../../src/core/tickets/scan';
import { TicketIndex } from '../../../src/core/tickets/ticketIndex';
import { CMPM_TICKETS, PYTOOLS_TICKETS, TOOLS_EXAMPLES } from './fixtures';

describe('reader on claude-multiagent-pm tickets (tools format, real-world defects)', async () => {
  const index = await TicketIndex.load(CMPM_TICKETS);

  it('reads all 291 files: 252 tickets, 39 documents without frontmatter, nothing malformed', async () => {
    assert.equal((await listTicketFiles(CMPM_TICKETS)).length, 291);
    const counts = index.counts();
    assert.equal(counts.total, 252);
    assert.equal(counts.unparsed, 39);
    assert.equal(counts.malformed, 0);
    assert.deepEqual(counts.byType, { epic: 32, issue: 182, task: 37, pr: 1 });
  });

  it('keeps off-enum statuses and groups them', () => {
    const counts = index.counts();
    assert.equal(counts.byStatus.pending, 9);
    assert.equal(counts.byStatus["won't_do"], 2);
    assert.equal(counts.byStatus.planning, 155);
    assert.equal(counts.byNormalizedStatus.cancelled, 2);
    assert.equal(counts.byNormalizedStatus.done, 68);
    const wontDo = index.query({ status: "won't_do" });
    assert.deepEqual(
      wontDo.map((t) => t.normalizedStatus),
      ['cancelled', 'cancelled'],
    );
    const warning = index.diagnostics().find((d) => d.file.endsWith('TSK-0026-phase-5-final-validation.md'));
    assert.match(warning!.message, /'complete' is not a documented/);
    assert.equal(warning!.line, 38);
  });

  it('reports the 32 IDs claimed by more than one ticket; notes named after a ticket are information, not duplicates', () => {
    const duplicates = index.duplicates();
    assert.equal(duplicates.length, 32);
    const ep43 = duplicates.find((d) => d.id === 'EP-0043')!;
    assert.equal(ep43.paths.length, 2);
    // The third EP-0043 file is a report without frontmatter: it no longer counts as a duplicate.
    assert.ok(!ep43.paths.some((p) => p.endsWith('epics/completed/EP-0043-code-maintainability-reduce-file-sizes-to-1000-lines.md')));
    assert.equal(duplicates.find((d) => d.id === 'ISS-0120')!.paths.length, 3);
    const diagnostics = index.diagnostics();
    const dupDiagnostics = diagnostics.filter((d) => d.message.startsWith('duplicate ID'));
    assert.equal(dupDiagnostics.length, duplicates.reduce((n, d) => n + d.paths.length, 0));
    const notes = diagnostics.filter((d) => d.severity === 'info' && d.message.includes('has no frontmatter'));
    assert.equal(notes.length, index.unparsed().filter((u) => u.claimedId).length);
    assert.ok(notes.some((d) => d.file.endsWith('epics/completed/EP-0043-code-maintainability-reduce-file-sizes-to-1000-lines.md')));
  });

  it('reports every ticket whose state contradicts its status, with both values and lines', () => {
    const conflicts = index.diagnostics().filter((d) => d.message.includes('contradicts status'));
    assert.equal(conflicts.length, 4);
    const iss154 = conflicts.find((d) => d.file.endsWith('ISS-0154-fix-typescript-environment-variable-access-use-bracket-notation.md'))!;
    assert.equal(iss154.line, 62);
    assert.match(iss154.message, /state 'ready_for_engineering' contradicts status 'completed' \(line 8\)/);
    assert.deepEqual(index.get('ISS-0154')!.statusConflict, { status: 'completed', state: 'ready_for_engineering' });
    assert.equal(index.get('ISS-0154')!.normalizedStatus, 'open');
  });

  it('reads a ticket with leaked content/file_path keys and Note/State Change blocks', () => {
    const t = index.get('ISS-0161')!;
    assert.equal(t.title, 'Test notes and reason functionality');
    assert.equal(t.status, 'completed');
    assert.equal(t.normalizedStatus, 'done');
    assert.deepEqual(t.assignees, ['masa']);
    assert.equal(t.format, 'tools');
    assert.ok(!('content' in t) && !('file_path' in t));
  });

  it('links PRs, tasks and epics', () => {
    const pr = index.get('PR-0001')!;
    assert.equal(pr.type, 'pr');
    assert.equal(pr.issueId, 'ISS-0170');
    assert.equal(pr.epicId, 'EP-0045');
    assert.equal(pr.parentId, 'ISS-0170');
    const epic = index.get('EP-0001')!;
    assert.deepEqual(epic.childIds, ['ISS-0165', 'ISS-0166', 'ISS-0167']);
    assert.ok(index.children('EP-0001').some((c) => c.id === 'ISS-0165'));
  });

  it('keeps frontmatter-less files as unparsed documents with the ID their name claims', () => {
    const docs = index.unparsed();
    const readme = docs.find((d) => d.relPath === 'README.md')!;
    assert.equal(readme.claimedId, undefined);
    assert.equal(readme.title, 'Tickets Directory');
    const nested = docs.find((d) => d.relPath === 'epics/completed/EP-0043-code-maintainability-reduce-file-sizes-to-1000-lines.md')!;
    assert.equal(nested.claimedId, 'EP-0043');
    assert.equal(docs.filter((d) => d.relPath.startsWith('reports/')).length, 11);
  });
});

describe('reader on ai-trackdown-pytools tickets', async () => {
  const index = await TicketIndex.load(PYTOOLS_TICKETS);

  it('reads 79 tickets including archive/ folders', () => {
    const counts = index.counts();
    assert.equal(counts.total, 79);
    assert.equal(counts.unparsed + counts.malformed, 0);
    assert.deepEqual(counts.byType, { epic: 12, issue: 23, pr: 11, task: 33 });
    assert.deepEqual(counts.byStatus, { completed: 57, in_progress: 3, open: 12, cancelled: 7 });
    assert.equal(index.get('ISS-0001')!.relPath, 'issues/archive/ISS-0001.md');
    assert.equal(index.duplicates().length, 0);
  });

  it('maps pytools keys: assignees, parent, metadata.epic, created_at', () => {
    const issue = index.get('ISS-0010')!;
    assert.equal(issue.format, 'pytools');
    assert.equal(issue.title, 'Test issue for epic linking');
    assert.equal(issue.status, 'completed');
    assert.equal(issue.epicId, 'EP-0008');
    assert.equal(issue.createdAt, '2025-07-21T12:03:45.077099');
    assert.deepEqual(issue.tags, ['issue', 'feature']);
    assert.equal(index.get('TSK-0003')!.normalizedStatus, 'in_progress');
    assert.equal(index.get('PR-0002')!.type, 'pr');
    assert.equal(index.get('EP-0001')!.title, '[TEST-PYTOOLS] E2E Verification After Fixes');
  });
});

describe('reader on ai-trackdown-tools examples (state field)', async () => {
  const index = await TicketIndex.load(TOOLS_EXAMPLES);

  it('reads 9 tickets, the comparison document and the duplicated migration example', () => {
    assert.equal(index.counts().total, 9);
    assert.deepEqual(
      index.unparsed().map((d) => d.relPath),
      ['migration/MIGRATION_COMPARISON.md'],
    );
    assert.deepEqual(
      index.duplicates().map((d) => d.id),
      ['ISS-LEGACY-001'],
    );
  });

  it('lets state win over the legacy status, keeping a trailing YAML comment out of the value', () => {
    const task = index.get('TSK-EX001')!;
    assert.equal(task.status, 'active');
    assert.equal(task.state, 'ready_for_qa');
    assert.equal(task.normalizedStatus, 'review');
    assert.equal(task.issueId, 'ISS-EX001');
    assert.equal(index.get('ISS-WONT-DO-001')!.normalizedStatus, 'cancelled');
  });

  it('parses every fixture file on its own, none malformed', async () => {
    let files = 0;
    for (const root of [CMPM_TICKETS, PYTOOLS_TICKETS, TOOLS_EXAMPLES]) {
      for (const file of await listTicketFiles(root)) {
        const parsed = parseTicketFile(await readFile(file, 'utf8'), file, root);
        assert.notEqual(parsed.kind, 'malformed', file);
        files++;
      }
    }
    assert.equal(files, 291 + 79 + 10);
  });
});

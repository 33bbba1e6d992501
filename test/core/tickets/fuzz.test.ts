import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MAX_TICKET_FILE_BYTES, parseTicketFile } from '../../../src/core/tickets/reader';
import { TicketIndex } from '../../../src/core/tickets/ticketIndex';
import { tempDir } from '../../helpers/tempDir';

const validLine = fc.constantFrom('priority: high', 'assignee: masa', 'tags:\n  - a\n  - b', 'description: plain text', 'created_date: 2025-07-19T15:00:16.943Z');
const word = fc.stringMatching(/^[a-z]{1,10}$/);

// Each generator yields frontmatter that is certainly broken, with a reason the reader must report.
const breakage = fc.oneof(
  word.map((w) => `title: "${w}`),
  word.map((w) => `tags: [${w}, b`),
  word.map((w) => `title: ${w}\ntitle: again`),
  word.map((w) => `metadata:\n\t${w}: 1`),
  word.map((w) => `- ${w}\n- list instead of map`),
  word.map((w) => `${w}`),
  word.map((w) => `title: {${w}: [}`),
  word.map((w) => `title: ${w}\n  - stray: [`),
  fc.string({ maxLength: 30 }).map((junk) => `title: x\u0000${junk}`),
  fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => `bin: ${Buffer.from(bytes).toString('latin1')}\u0000`),
  fc.constant('title: only a title, no id key anywhere'),
);

const file = fc.record({
  before: fc.array(validLine, { maxLength: 3 }),
  broken: breakage,
  after: fc.array(validLine, { maxLength: 3 }),
  bom: fc.boolean(),
  crlf: fc.boolean(),
  unclosed: fc.boolean(),
  body: fc.string({ maxLength: 40 }),
});

describe('reader fuzz', () => {
  it('2,000 malformed files: none throws, each gets an error diagnostic with a line', () => {
    let runs = 0;
    fc.assert(
      fc.property(file, (f) => {
        runs++;
        const yaml = [...f.before, f.broken, ...f.after].join('\n');
        let text = `---\n${yaml}\n${f.unclosed ? '' : '---\n'}${f.unclosed ? '' : f.body}`;
        if (f.crlf) text = text.replace(/\n/g, '\r\n');
        if (f.bom) text = `\uFEFF${text}`;
        const parsed = parseTicketFile(text, '/root/issues/notes.md', '/root');
        assert.equal(parsed.kind, 'malformed', text);
        const error = parsed.diagnostics.find((d) => d.severity === 'error');
        assert.ok(error, text);
        assert.equal(error.file, '/root/issues/notes.md');
        assert.ok(error.message.length > 10);
        if (!text.includes('\u0000')) assert.ok(error.line && error.line >= 1, `no line for: ${error.message}`);
      }),
      { numRuns: 2000 },
    );
    assert.equal(runs, 2000);
  });

  it('the same content with BOM or CRLF but valid YAML reads as a ticket', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), word, (bom, crlf, title) => {
        let text = `---\nissue_id: ISS-0001\ntitle: ${title}\nstatus: active\n---\n# Body\n`;
        if (crlf) text = text.replace(/\n/g, '\r\n');
        if (bom) text = `\uFEFF${text}`;
        const parsed = parseTicketFile(text, '/root/issues/ISS-0001-x.md', '/root');
        assert.equal(parsed.kind, 'ticket');
        if (parsed.kind === 'ticket') assert.equal(parsed.ticket.title, title);
      }),
      { numRuns: 200 },
    );
  });

  it('skips a huge file with a diagnostic, on disk and in memory', async () => {
    const root = await tempDir();
    await mkdir(join(root, 'issues'));
    const huge = `---\nissue_id: ISS-0009\ntitle: ${'x'.repeat(MAX_TICKET_FILE_BYTES)}\n---\n`;
    await writeFile(join(root, 'issues', 'ISS-0009-huge.md'), huge);
    await writeFile(join(root, 'issues', 'ISS-0001-ok.md'), '---\nissue_id: ISS-0001\ntitle: Fine\nstatus: planning\n---\n');
    await writeFile(join(root, 'issues', 'ISS-0002-bad.md'), '---\nissue_id: ISS-0002\ntitle: "open\n---\n');
    const index = await TicketIndex.load(root);
    assert.equal(index.counts().total, 1);
    assert.equal(index.counts().malformed, 2);
    const messages = index.diagnostics().map((d) => `${d.file.slice(root.length)}:${d.line ?? ''} ${d.message}`);
    assert.ok(messages.some((m) => m.startsWith('/issues/ISS-0009-huge.md:') && m.includes('larger than')));
    assert.ok(messages.some((m) => m.startsWith('/issues/ISS-0002-bad.md:3 ') && m.includes('invalid YAML')));
    assert.equal(parseTicketFile(huge, join(root, 'x.md'), root).kind, 'malformed');
  });
});

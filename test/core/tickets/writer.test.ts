import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parse } from 'yaml';
import { listTicketFiles } from '../../../src/core/tickets/scan';
import { appendSection, editFrontmatter, ticketBody } from '../../../src/core/tickets/writer';
import { CMPM_TICKETS, PYTOOLS_TICKETS, TOOLS_EXAMPLES } from './fixtures';

async function fixtureTexts(): Promise<{ file: string; text: string }[]> {
  const out: { file: string; text: string }[] = [];
  for (const root of [CMPM_TICKETS, PYTOOLS_TICKETS, TOOLS_EXAMPLES]) {
    for (const file of await listTicketFiles(root)) {
      const text = await readFile(file, 'utf8');
      if (text.startsWith('---')) out.push({ file, text });
    }
  }
  return out;
}

function changedLines(before: string, after: string): number[] {
  const a = before.split('\n');
  const b = after.split('\n');
  assert.equal(a.length, b.length, 'line count changed');
  return a.flatMap((line, i) => (line === b[i] ? [] : [i]));
}

describe('frontmatter writer', async () => {
  const fixtures = await fixtureTexts();

  it('rewrites every fixture without change byte for byte', () => {
    assert.equal(fixtures.length, 252 + 79 + 9);
    for (const { file, text } of fixtures) assert.equal(editFrontmatter(text, {}), text, file);
  });

  it('a status change touches only the status and updated lines, on every fixture', () => {
    for (const { file, text } of fixtures) {
      const data = parse(text.split(/^---$/m)[1]) as Record<string, unknown>;
      const updatedKey = 'updated_at' in data ? 'updated_at' : 'updated_date';
      const out = editFrontmatter(text, { status: 'status-under-test', [updatedKey]: '2030-01-01T00:00:00.000Z' });
      const lines = changedLines(text, out);
      assert.equal(lines.length, 2, file);
      for (const i of lines) assert.match(out.split('\n')[i], /^(status|updated_at|updated_date): /, file);
      assert.equal((parse(out.split(/^---$/m)[1]) as Record<string, unknown>).status, 'status-under-test');
    }
  });

  it('property: any scalar value of an existing key changes exactly that key, CRLF or LF', () => {
    const base = '---\nid: ISS-0001\n# a comment kept\ntitle: "Quoted title"   # trailing\nstatus: open\nunknown_key: {a: 1}\ntags:\n  - x\n---\n\n# Body\nText\n';
    fc.assert(
      fc.property(
        fc.constantFrom('title', 'status', 'id'),
        fc.oneof(fc.string({ maxLength: 40 }), fc.integer(), fc.boolean(), fc.constant(null)),
        fc.boolean(),
        (key, value, crlf) => {
          const text = crlf ? base.replace(/\n/g, '\r\n') : base;
          const out = editFrontmatter(text, { [key]: value });
          const data = parse(out.split(/^---\r?$/m)[1]) as Record<string, unknown>;
          assert.deepEqual(data[key], value);
          assert.deepEqual(data.unknown_key, { a: 1 });
          assert.ok(out.includes('# a comment kept'));
          assert.ok(out.endsWith(crlf ? '# Body\r\nText\r\n' : '# Body\nText\n'));
          if (crlf) assert.ok(!/[^\r]\n/.test(out), 'a bare LF slipped into a CRLF file');
          const eol = crlf ? '\r\n' : '\n';
          const others = text.split(eol).filter((l) => !l.startsWith(`${key}:`));
          for (const line of others) assert.ok(out.split(eol).includes(line), `lost line ${line}`);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('replaces, adds and removes keys; a scalar keeps its trailing comment', () => {
    const text = '---\nstatus: active  # legacy\ntags:\n  - a\nold: 1\n---\nbody\n';
    const out = editFrontmatter(text, { status: 'completed', tags: ['a', 'b'], old: undefined, added: 'x: y' });
    assert.equal(out, '---\nstatus: completed  # legacy\ntags:\n  - a\n  - b\nadded: "x: y"\n---\nbody\n');
  });

  it('inserts new keys in sorted position for sorted (pytools) files', () => {
    const text = '---\nid: TSK-0001\nstatus: open\ntitle: T\n---\n';
    assert.equal(editFrontmatter(text, { parent: 'ISS-0001' }, { sortedKeys: true }), '---\nid: TSK-0001\nparent: ISS-0001\nstatus: open\ntitle: T\n---\n');
  });

  it('replaces a key with an empty value without gluing it to the colon', () => {
    assert.equal(editFrontmatter('---\nparent:\nx: 1\n---\n', { parent: 'EP-0001' }), '---\nparent: EP-0001\nx: 1\n---\n');
  });

  it('refuses to edit a file without valid frontmatter', () => {
    assert.throws(() => editFrontmatter('# no frontmatter\n', { a: 1 }), /no frontmatter/);
    assert.throws(() => editFrontmatter('---\na: [\n---\n', { a: 1 }), /not valid YAML/);
  });

  it('appends sections after one blank line, in the file line endings', () => {
    assert.equal(appendSection('a\n\n\n', '## Note: x\nhello'), 'a\n\n## Note: x\nhello\n');
    assert.equal(appendSection('a\r\n', '## Note: x\nhello'), 'a\r\n\r\n## Note: x\r\nhello\r\n');
  });

  it('uses the leaked content key only when the body is empty', () => {
    assert.equal(ticketBody('---\ncontent: |-\n  # From content\n---\n'), '# From content');
    assert.equal(ticketBody('---\ncontent: old\n---\n# Real body\n'), '# Real body\n');
  });
});

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parse } from 'yaml';
import { fastParseYaml } from '../../../src/core/tickets/fastYaml';
import { findFrontmatter } from '../../../src/core/tickets/frontmatter';
import { listTicketFiles } from '../../../src/core/tickets/scan';
import { CMPM_TICKETS, PYTOOLS_TICKETS, TOOLS_EXAMPLES } from './fixtures';

describe('fast frontmatter path', () => {
  it('agrees with the yaml library on every fixture it accepts, and accepts most of them', async () => {
    let accepted = 0;
    let total = 0;
    for (const root of [CMPM_TICKETS, PYTOOLS_TICKETS, TOOLS_EXAMPLES]) {
      for (const file of await listTicketFiles(root)) {
        const text = await readFile(file, 'utf8');
        const block = findFrontmatter(text);
        if (block.kind !== 'found') continue;
        total++;
        const yamlText = text.slice(block.yamlStart, block.yamlEnd);
        const fast = fastParseYaml(yamlText);
        if (!fast) continue;
        accepted++;
        assert.deepEqual(fast.data, parse(yamlText), file);
      }
    }
    assert.equal(total, 340);
    // Block scalars (`content: |-`), comments and deep nesting fall back; the rest must take the fast path.
    assert.ok(accepted >= 150, `only ${accepted} of ${total} took the fast path`);
  });

  it('property: on generated key/value documents it either bails or equals the yaml library', () => {
    const key = fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/);
    const value = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.constantFrom('null', '~', 'true', 'False', '0x1F', '0o7', '007', '1.5', '.inf', '-3', '+4', '1e3', "'it''s'", '"q"', '[]', '{}', 'a: b', 'x #c', '*ref', '2025-07-19T15:00:16.943Z', "won't_do", '', '"a \\"q\\" b"', '"tab\\tx\\\\y"', '"\\u00e9t\\u00e9"', '"bad \\x41"', 'x # trailing', "'q' # c", '"q" # c', '"q" x', '# only a comment', 'C#', 'a#b'),
    );
    const line = fc.oneof(
      fc.tuple(key, value).map(([k, v]) => `${k}: ${v}`),
      fc.constantFrom('# a comment line', '  # an indented comment'),
      fc.tuple(key, fc.array(value, { minLength: 1, maxLength: 3 }), fc.constantFrom('', '  ')).map(([k, items, indent]) => `${k}:\n${items.map((i) => `${indent}- ${i}`).join('\n')}`),
      fc.tuple(key, fc.array(fc.tuple(key, value), { minLength: 1, maxLength: 3 })).map(([k, pairs]) => `${k}:\n${pairs.map(([a, b]) => `  ${a}: ${b}`).join('\n')}`),
      fc.tuple(key, fc.array(fc.oneof(fc.stringMatching(/^[a-z][a-z ,.']{0,12}$/), fc.constant('')), { minLength: 2, maxLength: 4 }), fc.boolean()).map(
        ([k, parts, quoted]) => `${k}: ${quoted ? "'" : ''}start${parts.map((p) => (p ? `\n  ${p}` : '\n')).join('')}\n  end${quoted ? "'" : ''}`,
      ),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), fc.boolean(), (lines, crlf) => {
        const eol = crlf ? '\r\n' : '\n';
        const text = `${lines.join('\n').replace(/\n/g, eol)}${eol}`;
        const fast = fastParseYaml(text);
        if (!fast) return;
        let expected: unknown;
        try {
          expected = parse(text, { uniqueKeys: true });
        } catch {
          assert.fail(`fast path accepted invalid YAML:\n${text}`);
        }
        assert.deepEqual(fast.data, expected ?? {}, text);
      }),
      { numRuns: 4000 },
    );
  });

  it('takes the fast path on CRLF files, comments and escaped quotes, as hand-edited tickets have them', () => {
    const text = 'issue_id: ISS-0001\r\n# edited by hand\r\ntitle: "Fix the \\"login\\" page"  # quoted\r\nstatus: active # was planning\r\ntags:\r\n  - ui # the area\r\n  - \'it\'\'s\'\r\nnote: C# and F#\r\n';
    const fast = fastParseYaml(text);
    assert.ok(fast, 'fell off the fast path');
    assert.deepEqual(fast.data, parse(text));
    assert.deepEqual(fast.data, { issue_id: 'ISS-0001', title: 'Fix the "login" page', status: 'active', tags: ['ui', "it's"], note: 'C# and F#' });
    assert.equal(fast.keyLines.get('status'), 3);
  });
});

import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { markdownBlock, markdownCode, markdownText, shortenAtWord } from '../../src/core/common/markdownText';
import { terminalLine, terminalText } from '../../src/core/common/terminalText';
import { securityReportMarkdown } from '../../src/core/security/reportMarkdown';
import { cli } from '../helpers/runCli';
import { tempDir } from '../helpers/tempDir';

// eslint-disable-next-line no-control-regex
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const HOSTILE_TITLE = 'Fix \u001b]0;owned\u0007\u001b[2J\u001b]8;;https://evil.example/\u001b\\click\u001b]8;;\u001b\\ \u009b31m red\r\b';
// A JSON string is a YAML double-quoted scalar once the C1 characters YAML does not allow raw are escaped too.
const yamlString = (text: string) => JSON.stringify(text).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
const anyText = fc.string({ unit: fc.oneof(fc.constantFrom('\u001b', '\u009b', '\u009d', '\u0007', '\r', '\n', '\t', '[', ']', '(', ')', '`', '$', '!', '<', '>', ':', '/', '@', '-', '#', '*', '_', '\\'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })) });

describe('terminal text', () => {
  it('never lets an escape sequence or control character through, whatever the input', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        assert.doesNotMatch(terminalText(text), TERMINAL_CONTROL);
        // eslint-disable-next-line no-control-regex
        assert.doesNotMatch(terminalLine(text), /[\u0000-\u001f\u007f-\u009f]/);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps ordinary text, line breaks and tabs as they are', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...'abc XYZ 0-9.,:;/()[]{}`"\'é€😀\n\t'.split('')) }), (text) => assert.equal(terminalText(text), text)));
    assert.equal(terminalLine('two\nlines'), 'two\\nlines');
    assert.equal(terminalText('bell\u0007'), 'bell\\x07');
  });

  it('tickets list prints a hostile ticket title without its escape sequences', async () => {
    const cwd = await tempDir('claude-pm-escape-');
    await mkdir(join(cwd, 'tasks', 'issues'), { recursive: true });
    await writeFile(join(cwd, 'tasks', 'issues', 'ISS-0001-x.md'), `---\nissue_id: ISS-0001\ntitle: ${yamlString(HOSTILE_TITLE)}\nstatus: active\n---\n\n# x\n`);
    const listed = await cli(['tickets', 'list'], { cwd, env: {} });
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /ISS-0001/);
    assert.match(listed.stdout, /Fix /);
    assert.doesNotMatch(listed.stdout, TERMINAL_CONTROL);
    const json = await cli(['tickets', 'list', '--format', 'json'], { cwd, env: {} });
    assert.equal(JSON.parse(json.stdout)[0].title, HOSTILE_TITLE, 'JSON keeps the exact value');
  });
});

describe('markdown text', () => {
  it('shows names as typed: nothing over-escaped', () => {
    assert.equal(markdownText('claude-3-sonnet'), 'claude-3-sonnet');
    assert.equal(markdownText('v1.2 (beta) #42 + more'), 'v1.2 (beta) #42 + more');
    assert.equal(markdownCode('claude-3-sonnet'), '`claude-3-sonnet`');
    assert.equal(markdownCode('a `tick` b'), '``a `tick` b``');
    assert.equal(markdownCode('`edge`'), '`` `edge` ``');
  });

  it('neutralises links, images, autolinks, theme icons, HTML and block syntax from user text', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        for (const out of [markdownText(text), markdownBlock(text)]) {
          assert.doesNotMatch(out, /(?<!\\)[[\]<>`]/, 'an unescaped bracket, angle bracket or backtick');
          assert.doesNotMatch(out, /:\/\//, 'an autolinkable URL');
          assert.doesNotMatch(out, /(?<!\\)\$\(/, 'a theme icon');
          assert.doesNotMatch(out, /^\s*(?:[-+#>=]|\d+[.)])/m, 'a list, heading or quote marker');
        }
        assert.doesNotMatch(markdownText(text), /\n/);
      }),
      { numRuns: 2000 },
    );
    assert.equal(markdownText('![x](https://evil.example/a.png)'), '\\!\\[x\\](https&#58;//evil.example/a.png)');
    assert.equal(markdownText('www.evil.example'), 'www&#46;evil.example');
  });

  it('a security report shows a hostile git identity as text, not as a link or image', () => {
    const report = securityReportMarkdown(
      { environment: 'development', backend: 'embedded', ok: false, findings: [{ id: 'transport', status: 'fail', message: 'memory_service.url | http://x [y](https://evil.example)' }] } as never,
      { actor: '![a](https://evil.example/t.png)', role: 'admin', permissions: ['health.check'], policyFile: true },
      undefined,
    );
    assert.doesNotMatch(report, /(?<!\\)\]\(https/);
    assert.match(report, /Acting as \*\*\\!\\\[a\\\]\(https&#58;\/\/evil\.example\/t\.png\)\*\*/);
    assert.equal(report.split('\n').find((l) => l.includes('transport'))?.split(/(?<!\\)\|/).length, 5, 'the table row keeps its columns');
  });

  it('shortens at a word boundary', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z]{1,12}$/), { minLength: 1, maxLength: 80 }), fc.integer({ min: 20, max: 200 }), (words, max) => {
        const text = words.join(' ');
        const short = shortenAtWord(text, max);
        assert.ok(short.length <= max);
        if (short !== text) {
          assert.ok(short.endsWith('…'));
          const kept = short.slice(0, -1).split(' ');
          // Every kept word is whole, unless the first word alone was longer than the limit.
          assert.ok(kept.every((w) => words.includes(w)) || kept.length === 1);
        }
      }),
    );
  });

  it('exactly one Markdown escaper and one terminal filter remain in the source', async () => {
    const files = (await readdir('src', { recursive: true, withFileTypes: true })).filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name));
    const copies: string[] = [];
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      if (/function escape\w*\(/i.test(text) || /replace\(\/\[\\\\`\*_/.test(text)) copies.push(file);
    }
    assert.deepEqual(copies, []);
  });
});

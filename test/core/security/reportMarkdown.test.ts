import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeVerification, securityReportMarkdown } from '../../../src/core/security/reportMarkdown';

describe('securityReportMarkdown', () => {
  it('renders every finding with its status, the actor and the masked key only', () => {
    const markdown = securityReportMarkdown(
      {
        environment: 'production',
        backend: 'mem0',
        ok: false,
        findings: [
          { id: 'api-key', status: 'pass', message: 'fine' },
          { id: 'transport', status: 'fail', message: 'production requires TLS | really' },
        ],
      },
      { actor: 'ana@example.org', role: 'developer', permissions: ['memory.read'], policyFile: true },
      'abcd...wxyz',
    );
    assert.match(markdown, /\| ✅ \| api-key \| fine \|/);
    assert.match(markdown, /\| ❌ \| transport \| production requires TLS \\\| really \|/);
    assert.match(markdown, /Acting as \*\*ana@example\.org\*\*, role \*\*developer\*\*/);
    assert.match(markdown, /\(key abcd\.\.\.wxyz\)/);
    assert.match(markdown, /Result: \*\*problems found\*\*/);
  });
});

describe('describeVerification', () => {
  it('names the first broken line', () => {
    assert.equal(describeVerification({ ok: true, file: 'f', lines: 3 }), '3 entries, chain intact');
    assert.equal(describeVerification({ ok: false, file: 'f', lines: 1, firstBrokenLine: 2, reason: 'edited' }), 'line 2: edited');
    assert.equal(describeVerification({ ok: false, file: 'f', lines: 0, reason: 'the audit log is missing' }), 'the audit log is missing');
    assert.equal(describeVerification({ ok: false, file: 'f', lines: 4, brokenFile: 'logs/f.2', firstBrokenLine: 1, reason: 'entry 5 is missing' }), 'f.2 line 1: entry 5 is missing');
    assert.equal(describeVerification({ ok: true, file: 'f', lines: 0, empty: true }), 'no events recorded yet');
  });
});

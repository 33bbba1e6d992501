import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createLogger } from '../../../src/core/common/logger';
import { redact, redactValue } from '../../../src/core/common/redact';
import { newRunId } from '../../../src/core/common/runId';

describe('redact', () => {
  const key = randomBytes(48).toString('base64url');

  it('masks generated keys, prefixed provider keys and named secrets', () => {
    const text = `key=${key} auth: Authorization: Token m0-abcdefghijklmnopqrstu X-API-Key: hunter22 sk-ant-api03-abcdefghijklmnop`;
    const out = redact(text);
    assert.ok(!out.includes(key));
    assert.ok(!out.includes('m0-abcdefghijklmnopqrstu'));
    assert.ok(!out.includes('hunter22'));
    assert.ok(!out.includes('sk-ant-api03'));
  });

  it('keeps ordinary text, paths and commit hashes', () => {
    const text = 'deployed /home/user/project/CLAUDE.md at commit 3f2a9c1d5e7b8a0c4d6e8f0a1b3c5d7e9f1a2b3c';
    assert.equal(redact(text), text);
  });

  it('keeps run ids readable, also with a long workflow name', () => {
    const path = '.claude-pm/runs/20261129-221502-deploy-production-to-eu-west-1a2b3c4d.json';
    assert.equal(redact(`saved ${path}`), `saved ${path}`);
    assert.equal(redact(newRunId('Release candidate 42 for all regions')).includes('***'), false);
  });

  it('masks secrets inside JSON values and by key name', () => {
    const value = { nested: { apiKey: 'short-but-secret', note: `the key is ${key}` }, list: [key] };
    const out = JSON.stringify(redactValue(value));
    assert.ok(!out.includes(key));
    assert.ok(!out.includes('short-but-secret'));
  });

  it('is applied by every logger before the sink', () => {
    const lines: string[] = [];
    const logger = createLogger((_level, line) => lines.push(line));
    logger.error(new Error(`request failed with key ${key}`));
    logger.info('config', { api_key: key });
    assert.equal(lines.length, 2);
    for (const line of lines) assert.ok(!line.includes(key), line);
  });
});

describe('redact (properties)', () => {
  const generatedKey = fc.uint8Array({ minLength: 48, maxLength: 48 }).map((bytes) => Buffer.from(bytes).toString('base64url'));
  // Random 48-byte keys without both letter cases are vanishingly rare; the property is about real keys.
  const realisticKey = generatedKey.filter((key) => /[a-z]/.test(key) && /[A-Z]/.test(key));

  it('masks a key anywhere inside arbitrary text', () => {
    fc.assert(
      fc.property(realisticKey, fc.string(), fc.string(), (key, before, after) => {
        assert.ok(!redact(`${before}${key}${after}`).includes(key));
      }),
      { numRuns: 500 },
    );
  });

  it('masks a key inside JSON under any property name, at any depth', () => {
    fc.assert(
      fc.property(realisticKey, fc.string({ minLength: 1 }), fc.json(), (key, name, noise) => {
        const doc = { noise: JSON.parse(noise) as unknown, nested: [{ [name]: key }], text: `sent ${key}` };
        assert.ok(!JSON.stringify(redactValue(doc)).includes(key));
        assert.ok(!redact(JSON.stringify(doc)).includes(key));
      }),
      { numRuns: 300 },
    );
  });

  it('masks a key inside an error message and its stack', () => {
    fc.assert(
      fc.property(realisticKey, fc.string(), (key, text) => {
        const error = new Error(`${text} request to https://mem0.local/memories/${key} failed`);
        const lines: string[] = [];
        createLogger((_level, line) => lines.push(line)).error(error);
        assert.ok(!lines.join('\n').includes(key));
        assert.ok(!redact(error.stack ?? '').includes(key));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps kebab-case names, paths and UUIDs readable', () => {
    const text = 'wrote /tmp/claude-pm-security-tests-workspace-folder/.claude-pm/logs/audit.log for memory 550e8400-e29b-41d4-a716-446655440000';
    assert.equal(redact(text), text);
  });
});

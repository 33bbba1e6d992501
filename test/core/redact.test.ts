import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { createLogger } from '../../src/core/common/logger';
import { redact, redactValue } from '../../src/core/security/redact';

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

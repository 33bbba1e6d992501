import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { generateApiKey, maskKey, MIN_KEY_LENGTH, validateApiKey } from '../../../src/core/security/apiKeys';

const STRONG = 'Qm7vK2pX9rT4wZ8nB3cF6hJ1yL5dG0sA';
const base64url = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-'.split(''));

describe('generateApiKey', () => {
  it('always yields 64 base64url characters that pass the production rules, never twice the same', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(fc.integer(), () => {
        const key = generateApiKey();
        assert.match(key, /^[A-Za-z0-9_-]{64}$/);
        assert.deepEqual(validateApiKey(key, { environment: 'production', useTls: true, verifyTls: true }), { valid: true, problems: [] });
        assert.ok(!seen.has(key));
        seen.add(key);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('validateApiKey', () => {
  it('accepts a strong key everywhere', () => {
    for (const environment of ['development', 'testing', 'production'] as const) {
      assert.equal(validateApiKey(STRONG, { environment, useTls: true, verifyTls: true }).valid, true);
    }
  });

  it('rejects keys shorter than 32 characters in every environment, accepts 32', () => {
    fc.assert(
      fc.property(fc.string({ unit: base64url, minLength: 0, maxLength: MIN_KEY_LENGTH - 1 }), (key) => {
        const result = validateApiKey(key, { environment: 'development' });
        assert.equal(result.valid, false);
        assert.ok(result.problems.some((p) => p.includes('at least 32')));
      }),
    );
    assert.equal(validateApiKey(STRONG.slice(0, 32), { environment: 'development' }).valid, true);
  });

  it('rejects each weak word anywhere in the key, in any case', () => {
    fc.assert(
      fc.property(fc.constantFrom('test', 'demo', 'example', 'password', '123456'), fc.nat(32), fc.boolean(), (word, at, upper) => {
        const key = `${STRONG.slice(0, at)}${upper ? word.toUpperCase() : word}${STRONG.slice(at)}`;
        const result = validateApiKey(key, { environment: 'development' });
        assert.equal(result.valid, false);
        assert.ok(result.problems.some((p) => p.includes(`"${word}"`)));
        assert.ok(result.problems.every((p) => !p.includes(key)), 'a problem never quotes the key');
      }),
    );
  });

  it('rejects placeholders in production only', () => {
    for (const placeholder of ['REPLACE_WITH_', 'your_', 'example_']) {
      const key = `${placeholder}${STRONG}`;
      assert.equal(validateApiKey(key, { environment: 'production' }).valid, false, placeholder);
    }
    assert.equal(validateApiKey(`your_${STRONG}`, { environment: 'development' }).valid, true);
  });

  it('needs 8 distinct characters in production only', () => {
    const sevenDistinct = 'AbCdEfG'.repeat(6);
    assert.equal(validateApiKey(sevenDistinct, { environment: 'development' }).valid, true);
    const production = validateApiKey(sevenDistinct, { environment: 'production' });
    assert.equal(production.valid, false);
    assert.ok(production.problems.some((p) => p.includes('7 distinct')));
    assert.equal(validateApiKey(`${sevenDistinct}H`, { environment: 'production' }).valid, true);
  });

  it('needs TLS and certificate verification in production only', () => {
    assert.equal(validateApiKey(STRONG, { environment: 'production', useTls: false, verifyTls: true }).valid, false);
    assert.equal(validateApiKey(STRONG, { environment: 'production', useTls: true, verifyTls: false }).valid, false);
    assert.equal(validateApiKey(STRONG, { environment: 'development', useTls: false, verifyTls: false }).valid, true);
  });
});

describe('maskKey', () => {
  it('shows the first and last four characters only', () => {
    fc.assert(
      fc.property(fc.string({ unit: base64url, minLength: 12, maxLength: 100 }), (key) => {
        const masked = maskKey(key);
        assert.equal(masked, `${key.slice(0, 4)}...${key.slice(-4)}`);
      }),
    );
    assert.equal(maskKey('short'), '****');
  });
});

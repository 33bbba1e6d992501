import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { signBody, verifyDelivery } from '../../../src/core/events/signature';

const body = Buffer.from('Hello, World!');
const secret = "It's a Secret to Everybody";

describe('webhook signatures', () => {
  it("matches GitHub's documented test vector", () => {
    assert.equal(signBody(secret, body), 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17');
    assert.deepEqual(verifyDelivery('github', secret, { 'x-hub-signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17' }, body), { ok: true });
  });

  it('rejects a missing, malformed or wrong GitHub signature with the reason', () => {
    assert.deepEqual(verifyDelivery('github', secret, {}, body), { ok: false, reason: 'missing X-Hub-Signature-256' });
    assert.deepEqual(verifyDelivery('github', secret, { 'x-hub-signature-256': 'sha1=abc' }, body), { ok: false, reason: 'X-Hub-Signature-256 is not sha256=<64 hex digits>' });
    const wrong = verifyDelivery('github', 'another secret', { 'x-hub-signature-256': signBody(secret, body) }, body);
    assert.deepEqual(wrong, { ok: false, reason: 'X-Hub-Signature-256 does not match the body' });
    const tampered = verifyDelivery('github', secret, { 'x-hub-signature-256': signBody(secret, body) }, Buffer.from('Hello, World?'));
    assert.equal(tampered.ok, false);
  });

  it('reads the generic signature from X-Signature-256 and not from GitHub\'s header', () => {
    assert.deepEqual(verifyDelivery('generic', secret, { 'x-signature-256': signBody(secret, body) }, body), { ok: true });
    assert.deepEqual(verifyDelivery('generic', secret, { 'x-hub-signature-256': signBody(secret, body) }, body), { ok: false, reason: 'missing X-Signature-256' });
  });

  it('compares the GitLab token as sent', () => {
    assert.deepEqual(verifyDelivery('gitlab', secret, { 'x-gitlab-token': secret }, body), { ok: true });
    assert.deepEqual(verifyDelivery('gitlab', secret, { 'x-gitlab-token': `${secret} ` }, body), { ok: false, reason: 'X-Gitlab-Token does not match' });
    assert.deepEqual(verifyDelivery('gitlab', secret, {}, body), { ok: false, reason: 'missing X-Gitlab-Token' });
  });

  it('accepts exactly the signature of the body under the same secret (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), fc.uint8Array(), fc.uint8Array(), (s1, s2, b1, b2) => {
        const signed = signBody(s1, Buffer.from(b1));
        const same = s1 === s2 && Buffer.from(b1).equals(Buffer.from(b2));
        assert.equal(verifyDelivery('github', s2, { 'x-hub-signature-256': signed }, Buffer.from(b2)).ok, same);
      }),
    );
  });
});

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

// Webhook verification, done on the raw body before anything else reads it.
//   GitHub:  X-Hub-Signature-256: sha256=<hex HMAC-SHA-256(secret, body)>
//   GitLab:  X-Gitlab-Token: <the secret as-is>
//   generic: X-Signature-256 in GitHub's format, so any sender that can sign like GitHub can call us.

export const WEBHOOK_SOURCES = ['github', 'gitlab', 'generic'] as const;
export type WebhookSource = (typeof WEBHOOK_SOURCES)[number];

export type Verification = { ok: true } | { ok: false; reason: string };

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

/** Verifies one delivery of `source` against `secret`, in constant time. */
export function verifyDelivery(source: WebhookSource, secret: string, headers: IncomingHttpHeaders, body: Buffer): Verification {
  if (source === 'gitlab') {
    const token = header(headers, 'x-gitlab-token');
    if (token === undefined) return { ok: false, reason: 'missing X-Gitlab-Token' };
    // Hashing both sides first gives equal lengths, so the compare leaks neither content nor length.
    return timingSafeEqual(sha256(token), sha256(secret)) ? { ok: true } : { ok: false, reason: 'X-Gitlab-Token does not match' };
  }
  const name = source === 'github' ? 'x-hub-signature-256' : 'x-signature-256';
  const given = header(headers, name);
  if (given === undefined) return { ok: false, reason: `missing ${displayName(name)}` };
  const match = SIGNATURE.exec(given.trim());
  if (!match) return { ok: false, reason: `${displayName(name)} is not sha256=<64 hex digits>` };
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(Buffer.from(match[1]!, 'hex'), expected) ? { ok: true } : { ok: false, reason: `${displayName(name)} does not match the body` };
}

/** The `sha256=<hex>` signature a sender puts in X-Hub-Signature-256 / X-Signature-256. */
export function signBody(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** A header's single value (the first when repeated). */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function displayName(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => `${dash}${c.toUpperCase()}`);
}

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditEvent } from '../../../src/core/security/auditLog';
import { AuthLockedError, AuthLockout, lockoutOptionsFromEnv } from '../../../src/core/security/lockout';

function clocked(options: { maxFailures?: number; windowMs?: number } = {}) {
  let now = 1_000_000;
  const events: AuditEvent[] = [];
  const lockout = new AuthLockout({ ...options, now: () => now, onEvent: (e) => events.push(e) });
  return { lockout, events, advance: (ms: number) => (now += ms) };
}

describe('AuthLockout', () => {
  const url = 'http://mem0.local:8002/memories';

  it('locks a host after 5 failures within 15 minutes, for 15 minutes', async () => {
    const { lockout, events, advance } = clocked();
    for (let i = 1; i <= 4; i++) assert.equal(await lockout.recordFailure(url, { statusCode: 401 }), false);
    assert.equal(await lockout.lockedUntilFor(url), undefined);
    assert.equal(await lockout.recordFailure(url, { statusCode: 401 }), true);
    await assert.rejects(lockout.check(url), AuthLockedError);
    assert.deepEqual(events.map((e) => e.event), ['auth_failure', 'auth_failure', 'auth_failure', 'auth_failure', 'auth_failure', 'auth_lockout']);
    assert.deepEqual(events[4]!.details, { failure_count: 5, statusCode: 401 });
    assert.equal(events[5]!.target, 'mem0.local:8002');
    advance(15 * 60_000 - 1);
    assert.ok(await lockout.lockedUntilFor(url));
    advance(1);
    assert.equal(await lockout.lockedUntilFor(url), undefined);
    await lockout.check(url);
  });

  it('counts failures in a sliding window and per host', async () => {
    const { lockout, advance } = clocked();
    for (let i = 0; i < 4; i++) await lockout.recordFailure(url);
    advance(15 * 60_000);
    assert.equal(await lockout.recordFailure(url), false, 'old failures expired');
    for (let i = 0; i < 4; i++) await lockout.recordFailure('https://api.mem0.ai/v1/ping/');
    assert.equal(await lockout.lockedUntilFor(url), undefined);
    assert.equal(await lockout.recordFailure('https://api.mem0.ai/v1/ping/'), true);
    assert.equal(await lockout.lockedUntilFor(url), undefined, 'the other host is not affected');
  });

  it('a success clears the count and is reported', async () => {
    const { lockout, events } = clocked({ maxFailures: 2 });
    await lockout.recordFailure(url);
    await lockout.recordSuccess(url);
    assert.equal(await lockout.recordFailure(url), false);
    assert.equal(events[1]!.event, 'auth_success');
  });

  it('reads the framework overrides and ignores nonsense', () => {
    assert.deepEqual(lockoutOptionsFromEnv({ MEM0AI_MAX_AUTH_FAILURES: '3', MEM0AI_AUTH_LOCKOUT_MINUTES: '2' }), { maxFailures: 3, windowMs: 120_000 });
    assert.deepEqual(lockoutOptionsFromEnv({ MEM0AI_MAX_AUTH_FAILURES: 'x', MEM0AI_AUTH_LOCKOUT_MINUTES: '-1' }), { maxFailures: 5, windowMs: 900_000 });
  });
});

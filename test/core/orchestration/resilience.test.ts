import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adaptLimit, SystemResourceSampler } from '../../../src/core/orchestration/adaptiveConcurrency';
import { AgentPool } from '../../../src/core/orchestration/agentPool';
import { backoffDelay } from '../../../src/core/common/backoff';
import { CircuitBreaker } from '../../../src/core/common/circuitBreaker';
import { ConcurrencyLimiter } from '../../../src/core/orchestration/concurrencyLimiter';
import { ManualClock, ScriptedRunner, tick } from './helpers';

describe('backoff', () => {
  it('doubles the window per attempt, caps it, and jitters within its upper half', () => {
    const opts = { baseMs: 1000, maxMs: 8000 };
    assert.deepEqual([1, 2, 3, 4, 5].map((n) => backoffDelay(n, opts, () => 1)), [1000, 2000, 4000, 8000, 8000]);
    assert.deepEqual([1, 2, 3].map((n) => backoffDelay(n, opts, () => 0)), [500, 1000, 2000]);
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(3, opts);
      assert.ok(d >= 2000 && d <= 4000, String(d));
    }
  });
});

describe('circuit breaker', () => {
  it('opens after the threshold, half-opens after the recovery timeout with one probe, and closes on success', () => {
    const clock = new ManualClock();
    const changes: string[] = [];
    const breaker = new CircuitBreaker(clock, { failureThreshold: 3, recoveryTimeoutMs: 1000, successThreshold: 2 }, (s) => changes.push(s));
    for (let i = 0; i < 2; i++) {
      assert.ok(breaker.tryAcquire());
      breaker.record(false);
    }
    assert.equal(breaker.state, 'closed');
    assert.ok(breaker.tryAcquire());
    breaker.record(false);
    assert.equal(breaker.state, 'open');
    assert.equal(breaker.tryAcquire(), false);
    assert.equal(breaker.retryInMs(), 1000);
    clock.advance(999);
    assert.equal(breaker.tryAcquire(), false);
    clock.advance(1);
    assert.equal(breaker.state, 'half_open');
    assert.ok(breaker.tryAcquire());
    assert.equal(breaker.tryAcquire(), false, 'only one probe at a time');
    breaker.record(true);
    assert.equal(breaker.state, 'half_open', 'needs two successes');
    assert.ok(breaker.tryAcquire());
    breaker.record(true);
    assert.equal(breaker.state, 'closed');
    assert.deepEqual(changes, ['open', 'half_open', 'closed']);
  });

  it('reopens when the half-open probe fails, and a success in closed state resets the count', () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker(clock, { failureThreshold: 2, recoveryTimeoutMs: 50, successThreshold: 1 });
    breaker.record(false);
    breaker.record(true);
    breaker.record(false);
    assert.equal(breaker.state, 'closed');
    breaker.record(false);
    assert.equal(breaker.state, 'open');
    clock.advance(50);
    assert.ok(breaker.tryAcquire());
    breaker.record(false);
    assert.equal(breaker.state, 'open');
    clock.advance(50);
    assert.ok(breaker.tryAcquire());
    breaker.abandon();
    assert.ok(breaker.tryAcquire(), 'an abandoned probe frees the slot');
  });
});

describe('concurrency limiter', () => {
  it('never exceeds the global and per-type limits and serves every waiter', async () => {
    const limiter = new ConcurrencyLimiter(4, { qa: 1, ops: 2 });
    const peakByType = new Map<string, number>();
    let peak = 0;
    const types = ['qa', 'ops', 'engineer'];
    const jobs = Array.from({ length: 90 }, async (_, i) => {
      const type = types[i % 3]!;
      const release = await limiter.acquire(type);
      peak = Math.max(peak, limiter.activeCount());
      peakByType.set(type, Math.max(peakByType.get(type) ?? 0, limiter.activeCount(type)));
      await tick(i % 4);
      release();
      release();
    });
    await Promise.all(jobs);
    assert.equal(peak, 4);
    assert.equal(peakByType.get('qa'), 1);
    assert.equal(peakByType.get('ops'), 2);
    assert.equal(limiter.activeCount(), 0);
  });

  it('rejects aborted waiters without leaking their slot, and raising the limit wakes waiters', async () => {
    const limiter = new ConcurrencyLimiter(1);
    const first = await limiter.acquire('a');
    const abort = new AbortController();
    const aborted = limiter.acquire('a', abort.signal);
    const next = limiter.acquire('b');
    abort.abort(new Error('stop'));
    await assert.rejects(aborted, /stop/);
    limiter.setLimit(2);
    const second = await next;
    assert.equal(limiter.activeCount(), 2);
    first();
    second();
    assert.equal(limiter.activeCount(), 0);
    await assert.rejects(limiter.acquire('a', AbortSignal.abort(new Error('already'))), /already/);
  });
});

describe('agent pool', () => {
  const ids = async (pool: AgentPool, n: number, runners: Map<ScriptedRunner, string>) => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const before = [...runners.keys()].map((r) => r.requests.length);
      await pool.run({ agentType: 'qa', task: 't', cwd: '.' });
      const idx = [...runners.keys()].findIndex((r, k) => r.requests.length > before[k]!);
      out.push([...runners.values()][idx]!);
    }
    return out;
  };

  it('round-robins and weights instances smoothly', async () => {
    const a = new ScriptedRunner();
    const b = new ScriptedRunner();
    const c = new ScriptedRunner();
    const map = new Map([
      [a, 'a'],
      [b, 'b'],
      [c, 'c'],
    ]);
    const rr = new AgentPool([{ id: 'a', runner: a }, { id: 'b', runner: b }, { id: 'c', runner: c }]);
    assert.deepEqual(await ids(rr, 6, map), ['a', 'b', 'c', 'a', 'b', 'c']);
    const weighted = new AgentPool([{ id: 'a', runner: a, weight: 1 }, { id: 'b', runner: b, weight: 2 }, { id: 'c', runner: c, weight: 1 }], 'weighted_round_robin');
    const picks = await ids(weighted, 8, map);
    assert.deepEqual(picks, ['b', 'a', 'c', 'b', 'b', 'a', 'c', 'b']);
  });

  it('sends work to the least busy instance', async () => {
    const gates: (() => void)[] = [];
    const slow = new ScriptedRunner(() => new Promise((r) => gates.push(() => r({}))));
    const fast = new ScriptedRunner(() => new Promise((r) => gates.push(() => r({}))));
    const pool = new AgentPool([{ id: 'slow', runner: slow }, { id: 'fast', runner: fast }], 'least_busy');
    const first = pool.run({ agentType: 'qa', task: '1', cwd: '.' });
    const second = pool.run({ agentType: 'qa', task: '2', cwd: '.' });
    assert.deepEqual(pool.status().map((s) => s.busy), [1, 1]);
    gates.shift()!();
    await first;
    const third = pool.run({ agentType: 'qa', task: '3', cwd: '.' });
    assert.equal(slow.requests.length + fast.requests.length, 3);
    assert.equal(pool.status().find((s) => s.busy === 1 && s.runs === 2) !== undefined, true, 'the idle instance got the third task');
    for (const g of gates.splice(0)) g();
    await Promise.all([second, third]);
  });

  it('takes an instance out after consecutive failures and fails clearly when none is left', async () => {
    const bad = new ScriptedRunner(() => ({ status: 'failed', error: 'boom' }));
    const good = new ScriptedRunner();
    const pool = new AgentPool([{ id: 'bad', runner: bad }, { id: 'good', runner: good }], 'round_robin', 2);
    for (let i = 0; i < 8; i++) await pool.run({ agentType: 'qa', task: 't', cwd: '.' });
    assert.equal(bad.requests.length, 2);
    assert.equal(good.requests.length, 6);
    assert.deepEqual(pool.status().map((s) => s.healthy), [false, true]);
    const solo = new AgentPool([{ id: 'bad', runner: bad }], 'least_busy', 1);
    await solo.run({ agentType: 'qa', task: 't', cwd: '.' });
    const result = await solo.run({ agentType: 'qa', task: 't', cwd: '.' });
    assert.equal(result.status, 'failed');
    assert.match(result.error!, /taken out/);
    solo.restore('bad');
    assert.equal(solo.status()[0]!.healthy, true);
  });
});

describe('adaptive concurrency', () => {
  it('lowers under CPU or memory pressure, raises when idle, and stays within bounds', () => {
    const bounds = { min: 1, max: 5 };
    assert.equal(adaptLimit(3, { cpuPercent: 85, memoryPercent: 10 }, bounds), 2);
    assert.equal(adaptLimit(3, { cpuPercent: 50, memoryPercent: 90 }, bounds), 2);
    assert.equal(adaptLimit(3, { cpuPercent: 10, memoryPercent: 10 }, bounds), 4);
    assert.equal(adaptLimit(3, { cpuPercent: 50, memoryPercent: 50 }, bounds), 3);
    assert.equal(adaptLimit(5, { cpuPercent: 5, memoryPercent: 5 }, bounds), 5);
    assert.equal(adaptLimit(1, { cpuPercent: 99, memoryPercent: 99 }, bounds), 1);
  });

  it('samples real system CPU and memory as percentages', () => {
    const sampler = new SystemResourceSampler();
    for (let i = 0; i < 1e6; i++) Math.sqrt(i);
    const sample = sampler.sample();
    assert.ok(sample.cpuPercent >= 0 && sample.cpuPercent <= 100);
    assert.ok(sample.memoryPercent > 0 && sample.memoryPercent < 100);
  });
});

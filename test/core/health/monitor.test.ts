import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HealthMonitor } from '../../../src/core/health/monitor';
import { runMonitor } from '../../../src/core/health/monitorRun';
import { monitorReportSchema } from '../../../src/core/health/reportSchema';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((r) => setTimeout(r, 5));
}

describe('HealthMonitor', () => {
  it('never overlaps: a manual run during a run joins it', async () => {
    let calls = 0;
    let active = 0;
    let maxActive = 0;
    const gate = deferred<void>();
    const monitor = new HealthMonitor(async () => {
      calls++;
      active++;
      maxActive = Math.max(maxActive, active);
      await gate.promise;
      active--;
      return calls;
    }, 0);
    const a = monitor.runNow();
    const b = monitor.runNow();
    assert.equal(a, b);
    assert.equal(monitor.running, true);
    gate.resolve();
    assert.equal(await a, 1);
    assert.equal(calls, 1);
    assert.equal(maxActive, 1);
    assert.equal(monitor.running, false);
  });

  it('runs on the interval, one after the other, and stops', async () => {
    const starts: number[] = [];
    let active = 0;
    let overlapped = false;
    const monitor = new HealthMonitor(async () => {
      if (active > 0) overlapped = true;
      active++;
      starts.push(starts.length);
      await new Promise((r) => setTimeout(r, 15));
      active--;
    }, 5);
    monitor.start(1);
    await until(() => starts.length >= 3);
    monitor.stop();
    const count = starts.length;
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(overlapped, false);
    assert.ok(starts.length <= count + 1, 'no new runs are scheduled after stop');
  });

  it('skips scheduled runs while shouldRun is false but keeps the schedule', async () => {
    let allowed = false;
    let asked = 0;
    let runs = 0;
    const monitor = new HealthMonitor(
      async () => {
        runs++;
      },
      5,
      () => {
        asked++;
        return allowed;
      },
    );
    monitor.start(1);
    await until(() => asked >= 3);
    assert.equal(runs, 0);
    allowed = true;
    await until(() => runs >= 1);
    monitor.stop();
    assert.ok(runs >= 1);
  });

  it('reports errors of scheduled runs and keeps going', async () => {
    const errors: unknown[] = [];
    let runs = 0;
    const monitor = new HealthMonitor(
      async () => {
        runs++;
        throw new Error(`run ${runs}`);
      },
      5,
      undefined,
      (e) => errors.push(e),
    );
    monitor.start(1);
    await until(() => errors.length >= 2);
    monitor.stop();
    assert.match((errors[0] as Error).message, /run 1/);
  });

  it('with interval 0 runs only the first deferred check', async () => {
    let runs = 0;
    const monitor = new HealthMonitor(async () => {
      runs++;
    }, 0);
    monitor.start(1);
    await until(() => runs === 1);
    await new Promise((r) => setTimeout(r, 30));
    monitor.stop();
    assert.equal(runs, 1);
  });
});

describe('runMonitor', () => {
  const report = (score: number, status: 'healthy' | 'degraded' | 'critical', alerts: number) =>
    ({
      timestamp: new Date().toISOString(),
      summary: { overall_health_percentage: score, status, service_health_percentage: 100, project_health_percentage: 100, framework_compliance: 100, duration_ms: 5 },
      services: { api: { name: 'api', status: 'healthy' } },
      alerts: Array.from({ length: alerts }, () => ({})),
    }) as never;

  it('samples at 0, interval, 2·interval… within the duration and summarises them', async () => {
    const scores: [number, 'healthy' | 'degraded' | 'critical', number][] = [
      [95, 'healthy', 0],
      [72, 'degraded', 1],
      [55, 'critical', 3],
      [91, 'healthy', 0],
    ];
    let i = 0;
    const sleeps: number[] = [];
    const seen: number[] = [];
    const result = await runMonitor({
      durationMs: 1000,
      intervalMs: 300,
      check: async () => report(...scores[i++]!),
      onSample: (s) => seen.push(s.overall_health_percentage),
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    assert.deepEqual(result.samples.map((s) => s.overall_health_percentage), [95, 72, 55, 91]);
    assert.deepEqual(seen, [95, 72, 55, 91]);
    assert.equal(sleeps.length, 3);
    assert.ok(sleeps.every((ms) => ms > 0 && ms <= 900));
    assert.deepEqual(result.summary, { samples: 4, min: 55, max: 95, average: 78.3, worst_status: 'critical', alerts_total: 4 });
    assert.equal(result.samples[0]!.services.api, 'healthy');
    assert.equal(result.interval_seconds, 0.3);
    assert.ok(monitorReportSchema.safeParse(result).success);
  });

  it('takes one sample when the duration is shorter than the interval', async () => {
    const result = await runMonitor({ durationMs: 100, intervalMs: 5000, check: async () => report(100, 'healthy', 0), sleep: async () => assert.fail('no wait expected') });
    assert.equal(result.samples.length, 1);
  });
});

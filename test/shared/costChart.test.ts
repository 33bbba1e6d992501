import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { costBreakdown } from '../../src/core/orchestration/runCosts';
import type { RunRecord, StepRecord } from '../../src/core/orchestration/runRecord';
import { costTicks, dayRange, MAX_SERIES, OTHER_SERIES, shapeCostChart } from '../../src/shared/costChart';
import { formatUsd, relativeTime } from '../../src/shared/runFormat';

function step(agentType: string, endedAt: string, costUsd: number): StepRecord {
  return { name: `${agentType}-${endedAt}`, agentType, task: 't', dependsOn: [], status: 'succeeded', attempts: 1, endedAt, costUsd };
}

function run(id: string, startedAt: string, steps: StepRecord[]): RunRecord {
  return { version: 1, id, workflow: id, file: `${id}.yaml`, status: 'succeeded', startedAt, owner: { pid: 1, host: 'h' }, context: {}, steps, alerts: [] };
}

describe('cost chart data', () => {
  it('has one bar per day of the range, empty days at zero, stacked by agent type from the cost breakdown', () => {
    const runs = [
      run('r1', '2026-11-27T10:00:00Z', [step('qa', '2026-11-27T10:05:00Z', 0.5), step('engineer', '2026-11-27T10:09:00Z', 1.5)]),
      run('r2', '2026-11-29T09:00:00Z', [step('qa', '2026-11-29T09:10:00Z', 0.25)]),
      run('old', '2026-10-01T09:00:00Z', [step('qa', '2026-10-01T09:10:00Z', 100)]),
    ];
    const chart = shapeCostChart(costBreakdown(runs, '2026-11-23').series, '2026-11-29', 7);
    assert.deepEqual(chart.days, ['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29']);
    assert.deepEqual(chart.series, ['engineer', 'qa'], 'the most expensive type first');
    assert.deepEqual(chart.seriesTotals, [1.5, 0.75]);
    assert.equal(chart.total, 2.25);
    assert.deepEqual(chart.bars.map((b) => b.total), [0, 0, 0, 0, 2, 0, 0.25]);
    assert.deepEqual(chart.bars[4]!.segments, [{ series: 0, costUsd: 1.5, from: 0, to: 1.5 }, { series: 1, costUsd: 0.5, from: 1.5, to: 2 }]);
    assert.deepEqual(chart.ticks, [0, 0.5, 1, 1.5, 2]);
  });

  it('folds the cheapest agent types into one series beyond the colours the theme has', () => {
    const costs = Array.from({ length: 9 }, (_, i) => ({ day: '2026-11-29', agentType: `type-${i}`, costUsd: i + 1 }));
    const chart = shapeCostChart([...costs, { day: '2026-11-29', agentType: '__proto__', costUsd: 0.5 }], '2026-11-29', 1);
    assert.equal(chart.series.length, MAX_SERIES);
    assert.deepEqual(chart.series, ['type-8', 'type-7', 'type-6', 'type-5', 'type-4', OTHER_SERIES]);
    assert.equal(chart.seriesTotals[MAX_SERIES - 1], 1 + 2 + 3 + 4 + 0.5);
    assert.equal(chart.total, 45.5);
  });

  it('an empty history is an empty chart with an axis', () => {
    const chart = shapeCostChart([], '2026-11-29', 30);
    assert.equal(chart.days.length, 30);
    assert.equal(chart.days.at(-1), '2026-11-29');
    assert.deepEqual(chart.series, []);
    assert.equal(chart.total, 0);
    assert.deepEqual(chart.ticks, [0, 1]);
  });

  it('day ranges cross month and year ends in UTC', () => {
    assert.deepEqual(dayRange('2026-01-01', 3), ['2025-12-30', '2025-12-31', '2026-01-01']);
    assert.throws(() => dayRange('yesterday', 3), RangeError);
  });

  it('ticks are round numbers from zero that reach the tallest bar', () => {
    assert.deepEqual(costTicks(0.042), [0, 0.02, 0.04, 0.06]);
    assert.deepEqual(costTicks(7.3), [0, 2, 4, 6, 8]);
    assert.deepEqual(costTicks(100), [0, 50, 100]);
    for (const max of [0.0003, 0.3, 3, 33, 333, 3333]) {
      const ticks = costTicks(max);
      assert.ok(ticks.at(-1)! >= max && ticks.length >= 3 && ticks.length <= 7, `${max}: ${ticks.join(',')}`);
    }
  });
});

describe('run formatting', () => {
  it('shows costs as currency, small ones with more digits, unknown ones as a dash', () => {
    assert.equal(formatUsd(1.254, 'en-US'), '$1.25');
    assert.equal(formatUsd(0.0042, 'en-US'), '$0.0042');
    assert.equal(formatUsd(0.5, 'en-US'), '$0.50');
    assert.equal(formatUsd(0, 'en-US'), '$0.00');
    assert.equal(formatUsd(undefined), '—');
  });

  it('says how long ago a run started', () => {
    const now = Date.parse('2026-11-29T12:00:00Z');
    assert.equal(relativeTime('2026-11-29T11:59:30Z', now, 'en'), 'now');
    assert.equal(relativeTime('2026-11-29T11:55:00Z', now, 'en'), '5 minutes ago');
    assert.equal(relativeTime('2026-11-28T11:00:00Z', now, 'en'), 'yesterday');
    assert.equal(relativeTime('2026-11-08T12:00:00Z', now, 'en'), '3 weeks ago');
    assert.equal(relativeTime('not a time', now, 'en'), '—');
  });
});

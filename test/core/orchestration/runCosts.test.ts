import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { costBreakdown } from '../../../src/core/orchestration/runCosts';
import type { RunRecord, StepRecord } from '../../../src/core/orchestration/runRecord';

function step(name: string, agentType: string, endedAt: string, costUsd?: number, extra: Partial<StepRecord> = {}): StepRecord {
  return { name, agentType, task: 't', dependsOn: [], status: 'succeeded', attempts: 1, endedAt, costUsd, usage: costUsd === undefined ? undefined : { input_tokens: 10, output_tokens: 1, cache_read_input_tokens: 0, cache_creation_input_tokens: 5 }, ...extra };
}

function run(id: string, startedAt: string, steps: StepRecord[]): RunRecord {
  return { version: 1, id, workflow: `wf-${id}`, status: 'succeeded', startedAt, owner: { pid: 1, host: 'h' }, context: {}, steps, alerts: [] };
}

describe('run costs', () => {
  it('sums spend per run, agent type (the one that ran) and day, and skips runs before the window', () => {
    const runs = [
      run('r1', '2026-11-01T10:00:00Z', [step('a', 'qa', '2026-11-01T10:05:00Z', 0.5, { toolCalls: 4 }), step('b', 'ops', '2026-11-02T00:01:00Z', 0.25, { ranAs: 'engineer' }), step('c', 'qa', '2026-11-02T01:00:00Z')]),
      run('r2', '2026-11-02T09:00:00Z', [step('x', '__proto__', '2026-11-02T09:10:00Z', 1)]),
      run('old', '2026-10-01T09:00:00Z', [step('y', 'qa', '2026-10-01T09:10:00Z', 100)]),
    ];
    const all = costBreakdown(runs, '2026-11-01');
    assert.equal(all.total.costUsd, 1.75);
    assert.equal(all.total.agentRuns, 3, 'a step without spend is not counted');
    assert.deepEqual(all.total.usage, { input_tokens: 30, output_tokens: 3, cache_read_input_tokens: 0, cache_creation_input_tokens: 15 });
    assert.deepEqual(all.byRun.map((r) => [r.id, r.costUsd, r.toolCalls]), [['r1', 0.75, 4], ['r2', 1, 0]]);
    assert.deepEqual(all.byAgentType.map((t) => [t.agentType, t.costUsd]), [['__proto__', 1], ['qa', 0.5], ['engineer', 0.25]]);
    assert.deepEqual(all.byDay.map((d) => [d.day, d.costUsd]), [['2026-11-01', 0.5], ['2026-11-02', 1.25]]);
    assert.deepEqual(all.series, [
      { day: '2026-11-01', agentType: 'qa', costUsd: 0.5 },
      { day: '2026-11-02', agentType: '__proto__', costUsd: 1 },
      { day: '2026-11-02', agentType: 'engineer', costUsd: 0.25 },
    ]);
    assert.equal(costBreakdown(runs).total.costUsd, 101.75);
    assert.equal(costBreakdown([]).total.agentRuns, 0);
  });
});

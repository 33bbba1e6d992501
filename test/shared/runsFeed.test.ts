import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunRecord, StepRecord } from '../../src/core/orchestration/runRecord';
import type { RunSource } from '../../src/core/orchestration/runSource';
import { dashboardRunsSchema } from '../../src/shared/protocol';
import { RECENT_RUNS, runsFeed } from '../../src/shared/runsFeed';

const NOW = new Date('2026-11-29T12:00:00.000Z');

function step(name: string, extra: Partial<StepRecord>): StepRecord {
  return { name, agentType: 'command', task: 't', dependsOn: [], status: 'pending', attempts: 0, ...extra };
}

describe('dashboard runs feed', () => {
  it('asks the source for ten recent runs and 90 days of cost, and drops cost outside the range', async () => {
    const asked: unknown[] = [];
    const source: RunSource = {
      recentRuns: async (limit) => (asked.push(['recent', limit]), []),
      dailyCosts: async (since) => {
        asked.push(['costs', since]);
        return [
          { day: '2026-08-31', agentType: 'qa', costUsd: 1 },
          { day: '2026-09-01', agentType: 'qa', costUsd: 2 },
          { day: '2026-11-29', agentType: 'qa', costUsd: -3 },
          { day: '2026-11-30', agentType: 'qa', costUsd: 4 },
        ];
      },
    };
    const feed = await runsFeed(source, undefined, NOW);
    assert.deepEqual(asked, [['recent', RECENT_RUNS], ['costs', '2026-09-01']]);
    assert.equal(feed.today, '2026-11-29');
    assert.equal(feed.costsSince, '2026-09-01');
    assert.deepEqual(feed.costs, [{ day: '2026-09-01', agentType: 'qa', costUsd: 2 }]);
    assert.equal(feed.graph, null);
    assert.ok(dashboardRunsSchema.safeParse(feed).success);
  });

  it('graphs a live run: elapsed time of running steps, the agent that ran, dependencies and cost', async () => {
    const run: RunRecord = {
      version: 1,
      id: 'r1',
      workflow: 'checks',
      file: 'checks.yaml',
      status: 'running',
      startedAt: '2026-11-29T11:58:00.000Z',
      owner: { pid: 1, host: 'h' },
      context: {},
      alerts: [],
      steps: [
        step('lint', { status: 'succeeded', attempts: 1, startedAt: '2026-11-29T11:58:00.000Z', endedAt: '2026-11-29T11:58:01.500Z' }),
        step('tests', { agentType: 'qa', ranAs: 'engineer', status: 'running', attempts: 2, startedAt: '2026-11-29T11:59:00.000Z', costUsd: 0.02 }),
        step('summary', { dependsOn: ['lint', 'tests'] }),
      ],
    };
    const empty: RunSource = { recentRuns: async () => [], dailyCosts: async () => [] };
    const graph = (await runsFeed(empty, run, NOW)).graph!;
    assert.deepEqual(
      graph.steps.map((s) => [s.name, s.agentType, s.status, s.durationMs, s.dependsOn, s.costUsd]),
      [
        ['lint', 'command', 'succeeded', 1500, [], undefined],
        ['tests', 'engineer', 'running', 60_000, [], 0.02],
        ['summary', 'command', 'pending', undefined, ['lint', 'tests'], undefined],
      ],
    );
    assert.deepEqual([graph.runId, graph.workflow, graph.status], ['r1', 'checks', 'running']);
  });
});

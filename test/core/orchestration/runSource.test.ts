import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { delegatedRunRecord } from '../../../src/core/orchestration/delegatedRecord';
import type { RunRecord, StepRecord } from '../../../src/core/orchestration/runRecord';
import { recordsRunSource, runToGraph, summarizeRun } from '../../../src/core/orchestration/runSource';
import { RunStore } from '../../../src/core/orchestration/runStore';
import { dashboardRunsSchema } from '../../../src/shared/protocol';
import { tempDir } from '../../helpers/tempDir';

function step(name: string, agentType: string, costUsd?: number): StepRecord {
  return { name, agentType, task: 't', dependsOn: [], status: 'succeeded', attempts: 1, startedAt: '2026-11-28T10:00:00Z', endedAt: '2026-11-28T10:01:00Z', costUsd };
}

function workflowRun(id: string, startedAt: string, extra: Partial<RunRecord> = {}): RunRecord {
  return { version: 1, id, workflow: `wf-${id}`, file: '/w/.claude-pm/workflows/x.yaml', status: 'succeeded', startedAt, endedAt: new Date(Date.parse(startedAt) + 90_000).toISOString(), owner: { pid: 1, host: 'h' }, context: {}, steps: [step('a', 'qa', 0.5)], costUsd: 0.5, alerts: [], ...extra };
}

describe('run sources', () => {
  it('summarises workflow and delegated runs with status, duration and cost', () => {
    const delegated = delegatedRunRecord({ id: 'd1', agentType: 'qa', agentName: 'QA Agent', tier: 'system', runner: 'command', task: 'run the tests\nand report', cwd: '/w', startedAt: '2026-11-28T10:00:00.000Z', finishedAt: '2026-11-28T10:00:02.500Z', result: { status: 'failed', exitCode: 1, output: '', durationMs: 2500, error: 'boom' } });
    assert.deepEqual(summarizeRun(delegated), { id: 'd1', title: 'run the tests', kind: 'delegated', status: 'failed', startedAt: '2026-11-28T10:00:00.000Z', endedAt: '2026-11-28T10:00:02.500Z', durationMs: 2500, costUsd: undefined, costEstimated: undefined });
    const wf = summarizeRun(workflowRun('w1', '2026-11-28T09:00:00.000Z', { durationMs: undefined }));
    assert.equal(wf.kind, 'workflow');
    assert.equal(wf.durationMs, 90_000, 'from start and end when the record has no duration');
    assert.equal(wf.costUsd, 0.5);
    assert.equal(summarizeRun(workflowRun('w2', '2026-11-28T09:00:00.000Z', { status: 'running', endedAt: undefined, durationMs: undefined })).durationMs, undefined);
  });

  it('lists the newest runs first and sums cost per day and agent type from a real run store', async () => {
    const store = new RunStore(await tempDir());
    await store.save(workflowRun('older', '2026-11-20T09:00:00.000Z', { steps: [step('a', 'qa', 1), step('b', 'ops', 2)] }));
    await store.save(workflowRun('newer', '2026-11-28T09:00:00.000Z'));
    await store.save(workflowRun('oldest', '2026-10-01T09:00:00.000Z', { steps: [step('a', 'qa', 100)] }));
    for (const id of ['older', 'newer', 'oldest']) await store.flush(id);
    const source = recordsRunSource(async () => (await store.list()).runs);
    assert.deepEqual((await source.recentRuns(2)).map((r) => r.id), ['newer', 'older']);
    assert.deepEqual(await source.dailyCosts('2026-11-01'), [
      { day: '2026-11-28', agentType: 'ops', costUsd: 2 },
      { day: '2026-11-28', agentType: 'qa', costUsd: 1.5 },
    ]);
  });

  it('graphs the newest running workflow run, else the newest workflow run, never a delegated task', () => {
    const finished = workflowRun('finished', '2026-11-28T12:00:00Z');
    const running = workflowRun('running', '2026-11-28T11:00:00Z', { status: 'running' });
    const delegated = { ...workflowRun('delegated', '2026-11-28T13:00:00Z'), file: undefined };
    assert.equal(runToGraph([finished, running, delegated])?.id, 'running');
    assert.equal(runToGraph([finished, delegated])?.id, 'finished');
    assert.equal(runToGraph([delegated]), undefined);
  });

  it('what a source gives passes the dashboard protocol', async () => {
    const source = recordsRunSource(async () => [workflowRun('w1', '2026-11-28T09:00:00.000Z')]);
    const parsed = dashboardRunsSchema.safeParse({ graph: null, recent: await source.recentRuns(10), today: '2026-11-29', costsSince: '2026-09-01', costs: await source.dailyCosts('2026-09-01') });
    assert.ok(parsed.success, parsed.error?.message);
  });
});

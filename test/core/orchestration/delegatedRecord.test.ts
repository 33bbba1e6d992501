import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { delegatedRunRecord, delegatedRunTitle } from '../../../src/core/orchestration/delegatedRecord';

describe('delegated run records', () => {
  it('are named by their task, clipped to one short line', () => {
    assert.equal(delegatedRunTitle('  run the test suite\nand summarise failures'), 'run the test suite');
    const long = delegatedRunTitle('x'.repeat(100));
    assert.equal(long.length, 60);
    assert.ok(long.endsWith('…'));
  });

  it('name their step after the agent and keep the run id format of workflow runs', () => {
    const record = delegatedRunRecord({ id: '20260124-093000-qa-7fff', agentType: 'qa', agentName: 'QA Agent', tier: 'system', runner: 'command', task: 'run the tests', cwd: '/w', startedAt: '2026-01-24T09:30:00.000Z' });
    assert.equal(record.workflow, 'run the tests');
    assert.deepEqual(record.steps.map((s) => [s.name, s.agentType, s.status]), [['QA Agent', 'qa', 'running']]);
  });
});

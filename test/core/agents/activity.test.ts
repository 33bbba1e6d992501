import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RunActivity, subagentSummary } from '../../../src/core/agents/activity';
import type { RunEvent } from '../../../src/core/agents/runner';
import { StreamJsonState } from '../../../src/core/agents/streamJson';

describe('run activity', () => {
  it('nests sub-agent calls by parent_tool_use_id, with target, duration and outcome, from the real stream shapes', () => {
    const activity = new RunActivity(0);
    let now = 0;
    const state = new StreamJsonState((event: RunEvent) => activity.accept(event, now));
    const at = (t: number, message: Record<string, unknown>) => {
      now = t;
      state.accept(message);
    };
    const use = (id: string, name: string, input: Record<string, unknown>, parent: string | null = null) => ({ type: 'assistant', message: { content: [{ type: 'tool_use', id, name, input }] }, parent_tool_use_id: parent });
    const result = (id: string, isError = false, parent: string | null = null) => ({ type: 'user', message: { content: [{ type: 'tool_result', tool_use_id: id, content: 'ok', is_error: isError }] }, parent_tool_use_id: parent });

    at(100, use('t1', 'Read', { file_path: 'src/app.ts' }));
    at(150, result('t1'));
    at(200, use('t2', 'Task', { subagent_type: 'qa', description: 'run the tests', prompt: 'npm test' }));
    at(300, use('t3', 'Bash', { command: 'npm test\nsecond line' }, 't2'));
    at(2300, result('t3', true, 't2'));
    at(2400, use('t4', 'Grep', { pattern: 'TODO' }, 't2'));
    at(2500, use('t5', 'Edit', { file_path: 'x'.repeat(300) }));

    assert.deepEqual(activity.calls.map((c) => [c.id, c.tool, c.outcome]), [['t1', 'Read', 'ok'], ['t2', 'Task', 'running'], ['t5', 'Edit', 'running']]);
    assert.equal(activity.calls[0]!.target, 'src/app.ts');
    assert.equal(activity.calls[0]!.endedAt! - activity.calls[0]!.startedAt, 50);
    assert.equal(activity.calls[2]!.target!.length, 120, 'long targets are cut');
    const task = activity.calls[1]!;
    assert.deepEqual(task.subagent!.calls.map((c) => [c.tool, c.target, c.outcome]), [['Bash', 'npm test', 'error'], ['Grep', 'TODO', 'running']]);
    assert.deepEqual(task.subagent!.counts, { running: 1, ok: 0, error: 1 });
    assert.deepEqual(activity.counts, { running: 2, ok: 1, error: 0 });
    assert.equal(subagentSummary(task, 4200), 'qa: run the tests · 2 calls, 1 failed · 4 s');

    // A result for an unknown or already finished call changes nothing.
    at(2600, result('t1', true));
    at(2700, result('nope'));
    assert.deepEqual(activity.counts, { running: 2, ok: 1, error: 0 });
    assert.equal(activity.stalled(2700 + 59_999, 60_000), false);
    assert.equal(activity.stalled(2700 + 60_000, 60_000), true);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { RunEvent } from '../../../src/core/agents/runner';
import { LineSplitter, StreamJsonState } from '../../../src/core/agents/streamJson';

describe('stream-json parsing', () => {
  it('reassembles lines split anywhere, including inside multi-byte characters', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => s.replace(/[\r\n]/g, '')).filter((s) => s.trim() !== ''), { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 10 }), (lines, cuts) => {
        const bytes = Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8');
        const points = [...new Set(cuts.map((c) => (bytes.length ? c % bytes.length : 0)))].sort((a, b) => a - b);
        const seen: string[] = [];
        const splitter = new LineSplitter((l) => seen.push(l));
        let last = 0;
        for (const p of [...points, bytes.length]) {
          splitter.push(bytes.subarray(last, p));
          last = p;
        }
        splitter.end();
        assert.deepEqual(seen, lines);
      }),
    );
  });

  it('handles a 2 MiB line and flushes a last line without newline', () => {
    const seen: string[] = [];
    const splitter = new LineSplitter((l) => seen.push(l));
    const big = JSON.stringify({ type: 'assistant', message: { content: [{ type: 'text', text: 'x'.repeat(2 * 1024 * 1024) }] } });
    for (let i = 0; i < big.length; i += 65536) splitter.push(big.slice(i, i + 65536));
    splitter.push('\r\n{"type":"result"');
    splitter.push(',"subtype":"success"}');
    splitter.end();
    assert.equal(seen.length, 2);
    assert.equal(seen[0], big);
    assert.equal(seen[1], '{"type":"result","subtype":"success"}');
  });

  it('drops a line past the limit and reports it, then goes on', () => {
    const seen: string[] = [];
    const overflows: number[] = [];
    const splitter = new LineSplitter((l) => seen.push(l), (n) => overflows.push(n), 10);
    splitter.push('0123456789abc');
    splitter.push('def\nok\n');
    assert.deepEqual(seen, ['ok']);
    assert.equal(overflows.length, 1);
  });

  it('folds a session into events, result, denials and sub-agents, tolerating junk and unknown types', () => {
    const events: RunEvent[] = [];
    const state = new StreamJsonState((e) => events.push(e));
    const lines = [
      { type: 'system', subtype: 'init', session_id: 's-1', model: 'claude-x', tools: ['Task', 'Write'] },
      { type: 'rate_limit_event', info: {} },
      { type: 'system', subtype: 'task_progress', description: 'running tests' },
      { type: 'assistant', message: { content: [{ type: 'text', text: 'Planning' }, { type: 'thinking', thinking: '...' }] }, parent_tool_use_id: null },
      { type: 'assistant', message: { content: [{ type: 'tool_use', id: 't1', name: 'Task', input: { subagent_type: 'qa', description: 'run tests' } }] }, parent_tool_use_id: null },
      { type: 'user', message: { content: [{ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'all green' }] }] }, parent_tool_use_id: null },
      { type: 'assistant', message: { content: 'not an array' } },
      { type: 'result', subtype: 'success', is_error: false, num_turns: 3, result: 'Done', session_id: 's-1', total_cost_usd: 0.25, usage: { input_tokens: 5 }, permission_denials: [{ tool_name: 'Bash', tool_use_id: 't9', tool_input: {} }] },
    ].map((m) => JSON.stringify(m));
    for (const line of ['not json', ...lines, '42']) state.acceptLine(line);
    assert.equal(state.sessionId, 's-1');
    assert.equal(state.result?.num_turns, 3);
    assert.equal(state.result?.total_cost_usd, 0.25);
    assert.equal(state.result?.permission_denials?.[0]?.tool_name, 'Bash');
    assert.deepEqual(state.subagents, [{ toolUseId: 't1', parentToolUseId: undefined, subagentType: 'qa', description: 'run tests' }]);
    assert.equal(state.unknownTypes, 1);
    assert.deepEqual(state.invalidLines, ['not json']);
    assert.deepEqual(
      events.map((e) => e.kind),
      ['status', 'status', 'text', 'tool_use', 'status', 'tool_result'],
    );
    assert.deepEqual(events[1], { kind: 'status', message: 'task_progress: running tests' });
    assert.deepEqual(events[4], { kind: 'status', message: 'sub-agent qa started: run tests' });
    assert.deepEqual(events[5], { kind: 'tool_result', isError: false, text: 'all green', toolUseId: 't1' });
  });

  it('counts usage once per API message and tool calls, and estimates the cost of a run stopped before its result', () => {
    const state = new StreamJsonState();
    const usage = { input_tokens: 1000, output_tokens: 200, cache_read_input_tokens: 10_000, cache_creation_input_tokens: 400 };
    const lines = [
      { type: 'system', subtype: 'init', session_id: 's-2', model: 'claude-sonnet-4-5' },
      // One API message streamed as two lines repeats its usage: it counts once.
      { type: 'assistant', message: { id: 'm1', model: 'claude-sonnet-4-5', usage, content: [{ type: 'text', text: 'Reading' }] } },
      { type: 'assistant', message: { id: 'm1', model: 'claude-sonnet-4-5', usage, content: [{ type: 'tool_use', id: 't1', name: 'Read', input: { file_path: 'a' } }] } },
      { type: 'assistant', message: { id: 'm2', usage: { input_tokens: 50, output_tokens: 'many' }, content: [{ type: 'tool_use', id: 't2', name: 'Agent', input: {} }] } },
      { type: 'assistant', message: { id: 'm3', usage: { input_tokens: 7, output_tokens: 3 }, content: [{ type: 'tool_use', id: 't3', name: 'Bash', input: {} }] }, parent_tool_use_id: 't2' },
    ];
    for (const line of lines) state.accept(line);
    assert.equal(state.toolCalls, 3);
    assert.deepEqual(state.usage(), { input_tokens: 1057, output_tokens: 203, cache_read_input_tokens: 10_000, cache_creation_input_tokens: 400 });
    const { costUsd, estimated } = state.cost();
    assert.equal(estimated, true);
    // Sonnet list prices: $3 per million input (cache writes 1.25×, reads 0.1×), $15 per million output.
    assert.ok(Math.abs(costUsd! - (1057 * 3 + 400 * 3.75 + 10_000 * 0.3 + 203 * 15) / 1e6) < 1e-12);

    state.accept({ type: 'result', subtype: 'success', total_cost_usd: 0.5, usage: { input_tokens: 9, output_tokens: 8 } });
    assert.deepEqual(state.cost(), { costUsd: 0.5, estimated: false });
    assert.deepEqual(state.usage(), { input_tokens: 9, output_tokens: 8, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 });
    assert.deepEqual(new StreamJsonState().cost(), { costUsd: undefined, estimated: false });
  });

  it('never throws on arbitrary lines', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify({ type: 'assistant', message: v }))), (line) => {
        new StreamJsonState().acceptLine(line);
      }),
    );
  });
});

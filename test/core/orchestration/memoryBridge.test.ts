import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CategoryRegistry } from '../../../src/core/memory/categoryRegistry';
import { EmbeddedStore } from '../../../src/core/memory/embeddedStore';
import { MemoryService } from '../../../src/core/memory/memoryService';
import { runMemoryFrom } from '../../../src/core/orchestration/memoryBridge';
import { tempDir } from '../../helpers/tempDir';

describe('the engine memory bridge', () => {
  it('keeps a failed or timed-out step as an error memory and no memory of routine successes', async () => {
    const dir = await tempDir();
    const store = new EmbeddedStore(dir);
    const memory = runMemoryFrom(new MemoryService(store, new CategoryRegistry(dir), store));
    const step = { runId: 'r1', workflow: 'checks', agentType: 'qa', task: 'echo ok' };
    for (const name of ['lint', 'test', 'build', 'docs']) await memory.recordOutcome({ ...step, step: name, status: 'succeeded', output: 'ok' });
    await memory.recordOutcome({ ...step, step: 'deploy', status: 'failed', error: 'exit code 2: permission denied' });
    await memory.recordOutcome({ ...step, step: 'smoke', status: 'timed_out' });
    const all = await store.list({});
    assert.deepEqual(all.map((m) => m.category).sort(), ['error', 'error']);
    assert.ok(all.some((m) => /checks › deploy: echo ok[\s\S]*permission denied/.test(m.content)));
  });
});

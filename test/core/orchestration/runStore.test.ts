import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { RunRecord } from '../../../src/core/orchestration/runRecord';
import { newRunId } from '../../../src/core/common/runId';
import { processAlive } from '../../../src/core/common/processAlive';
import { RunStore, workflowErrorRate } from '../../../src/core/orchestration/runStore';
import { tempDir } from '../../helpers/tempDir';

function record(id: string, status: RunRecord['status'], extra: Partial<RunRecord> = {}): RunRecord {
  return {
    version: 1,
    id,
    workflow: 'push',
    status,
    startedAt: `2026-01-01T00:00:0${id.slice(-1)}.000Z`,
    owner: { pid: process.pid, host: hostname() },
    context: {},
    steps: [{ name: 'a', agentType: 'qa', task: 't', dependsOn: [], status: status === 'running' ? 'running' : 'succeeded', attempts: 1 }],
    alerts: [],
    ...extra,
  };
}

describe('run store', () => {
  it('coalesces a burst of saves into the latest snapshot and leaves no temp files', async () => {
    const store = new RunStore(await tempDir());
    const run = record('r1', 'running');
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 50; i++) {
      run.steps[0]!.attempts = i;
      writes.push(store.save(run));
    }
    await Promise.all(writes);
    await store.flush('r1');
    assert.equal((await store.load('r1'))?.steps[0]!.attempts, 49);
    assert.deepEqual(await readdir(store.dir), ['r1.json']);
  });

  it('lists runs newest first and reports broken files without failing', async () => {
    const root = await tempDir();
    const store = new RunStore(root);
    await store.save(record('r1', 'succeeded'));
    await store.save(record('r2', 'failed'));
    await store.flush('r1');
    await store.flush('r2');
    await writeFile(join(store.dir, 'broken.json'), '{ not json');
    await writeFile(join(store.dir, 'other.json'), JSON.stringify({ hello: 'world' }));
    const { runs, diagnostics } = await store.list();
    assert.deepEqual(runs.map((r) => r.id), ['r2', 'r1']);
    assert.equal(diagnostics.length, 2);
    assert.deepEqual((await new RunStore(join(root, 'nowhere')).list()).runs, []);
  });

  it('marks runs whose owner process is gone as interrupted, and leaves live ones alone', async () => {
    const store = new RunStore(await tempDir());
    await store.save(record('r1', 'running', { owner: { pid: 999_999_999, host: hostname() } }));
    await store.save(record('r2', 'running'));
    await store.save(record('r3', 'running', { owner: { pid: process.pid, host: 'another-machine' } }));
    await Promise.all(['r1', 'r2', 'r3'].map((id) => store.flush(id)));
    const changed = await store.markInterrupted();
    assert.deepEqual(changed.sort(), ['r1', 'r3']);
    const r1 = await store.load('r1');
    assert.equal(r1?.status, 'interrupted');
    assert.equal(r1?.steps[0]!.status, 'interrupted');
    assert.equal((await store.load('r2'))?.status, 'running');
    assert.equal(processAlive(process.pid), true);
    assert.equal(processAlive(999_999_999), false);
  });

  it('keeps unknown keys of a run file and redacts log lines', async () => {
    const store = new RunStore(await tempDir());
    await mkdir(store.dir, { recursive: true });
    await writeFile(store.runPath('r1'), JSON.stringify({ ...record('r1', 'succeeded'), note: 'kept' }));
    assert.equal(((await store.load('r1')) as Record<string, unknown>).note, 'kept');
    await store.appendLog('r1', ['key sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789 here']);
    await store.flush('r1');
    assert.doesNotMatch(await readFile(store.logPath('r1'), 'utf8'), /abcdefghijklmnop/);
  });

  it('computes the error rate of recent finished runs of one workflow', () => {
    const runs = ['failed', 'failed', 'succeeded', 'running', 'timed_out'].map((s, i) => record(`r${i}`, s as RunRecord['status']));
    assert.equal(workflowErrorRate(runs, 'push'), 3 / 4);
    assert.equal(workflowErrorRate(runs.slice(0, 2), 'push'), undefined, 'too few runs to judge');
    assert.equal(workflowErrorRate(runs, 'other'), undefined);
  });

  it('makes sortable, readable run ids', () => {
    assert.equal(newRunId('Push & Deploy!', new Date('2026-01-24T09:30:00Z'), () => 0.5), '20260124-093000-push-deploy-80000000');
  });
});

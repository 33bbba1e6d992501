import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CategoryRegistry } from '../../../src/core/memory/categoryRegistry';
import { PlatformDialect, SelfHostedDialect } from '../../../src/core/memory/mem0Dialects';
import { Mem0Http } from '../../../src/core/memory/mem0Http';
import { Mem0Store } from '../../../src/core/memory/mem0Store';
import { Outbox } from '../../../src/core/memory/outbox';
import { MemoryService } from '../../../src/core/memory/memoryService';
import { CircuitBreaker } from '../../../src/core/common/circuitBreaker';
import type { BackendStatus } from '../../../src/core/memory/types';
import { buildChild } from '../../helpers/buildChild';
import { openMem0 } from '../../helpers/mem0OutboxWriterChild';
import { startMem0Server, type Mem0Dialect, type Mem0TestServer } from '../../helpers/mem0Server';
import { tempDir } from '../../helpers/tempDir';

const KEY = 'm0sk_test_key_123456';

async function setup(dialect: Mem0Dialect, options: { key?: string; timeoutMs?: number } = {}) {
  // The circuit's clock is the test's: it moves only when the test says the reset time has passed.
  const clock = { now: 0 };
  const server = await startMem0Server(dialect, KEY);
  after(() => server.close());
  const dir = await tempDir();
  const open = () => {
    const key = options.key ?? KEY;
    const http = new Mem0Http({
      baseUrl: server.url,
      headers: dialect === 'mem0' ? { 'x-api-key': key } : { authorization: `Token ${key}` },
      timeoutMs: options.timeoutMs ?? 2000,
      verifyTls: true,
      retries: 1,
      retryBaseMs: 5,
      breaker: new CircuitBreaker({ now: () => clock.now }, { failureThreshold: 3, recoveryTimeoutMs: 1000, successThreshold: 1 }),
    });
    const api = dialect === 'mem0' ? new SelfHostedDialect(http, 'proj') : new PlatformDialect(http, 'proj', 5);
    const store = new Mem0Store(api, http, dir, { replayIntervalMs: 60_000 });
    after(() => store.dispose());
    return { store, service: new MemoryService(store, new CategoryRegistry(dir), store) };
  };
  return { server, dir, open, clock, ...open() };
}

const contents = (server: Mem0TestServer) => [...server.memories.values()].map((m) => m.memory).sort();

for (const dialect of ['mem0', 'mem0-platform'] as const) {
  describe(`mem0 backend (${dialect})`, () => {
    it('adds, searches, lists, gets, updates, deletes and reads history, category in metadata.category', async () => {
      const { server, service } = await setup(dialect);
      const added = await service.add({ content: 'Use pgvector for embeddings storage', category: 'project', tags: ['db'], metadata: { technology: 'Postgres' } });
      assert.equal(added.duplicate, false);
      assert.ok(!added.memory.id.startsWith('pending:'));
      const stored = server.memories.get(added.memory.id);
      assert.equal(stored?.metadata.category, 'project');
      assert.deepEqual(stored?.metadata.tags, ['db']);
      await service.add({ content: 'Retry with backoff on 502 from the provider', category: 'error' });

      const hits = await service.search('pgvector embeddings');
      assert.equal(hits[0]?.memory.id, added.memory.id);
      assert.equal(hits[0]?.memory.metadata.technology, 'Postgres');
      assert.equal((await service.search('pgvector embeddings', { category: 'error' })).length, 0);
      assert.equal((await service.list({ category: 'error' })).length, 1);

      const got = await service.get(added.memory.id);
      assert.equal(got?.content, 'Use pgvector for embeddings storage');
      assert.equal(await service.get('00000000-0000-0000-0000-000000000000'), undefined);

      await service.update(added.memory.id, { content: 'Use pgvector with HNSW indexes' });
      assert.equal(server.memories.get(added.memory.id)?.memory, 'Use pgvector with HNSW indexes');
      assert.deepEqual((await service.history(added.memory.id)).map((h) => h.event), ['ADD', 'UPDATE']);
      assert.equal(await service.delete(added.memory.id), true);
      assert.deepEqual(contents(server), ['Retry with backoff on 502 from the provider']);
    });

    it('explains a 401 and does not queue the write', async () => {
      const { server, service, store } = await setup(dialect, { key: 'wrong' });
      await assert.rejects(service.add({ content: 'x y z', category: 'project' }), /401.*Check the API key/s);
      assert.equal(store.queuedWrites, 0);
      assert.equal(server.memories.size, 0);
    });

    for (const mode of ['500', '502', 'malformed', 'reset', 'slow'] as const) {
      it(`queues writes while the server fails with ${mode}, opens the circuit, and replays them once it is back`, async () => {
        // The timeout leaves a loaded machine room to answer the healthy write; the slow mode outlasts it by far.
        const { server, service, store, clock } = await setup(dialect, { timeoutMs: 400 });
        const online = await service.add({ content: 'written while the server is up', category: 'project' });
        assert.ok(!online.memory.id.startsWith('pending:'), 'the write before the outage reached the server');
        server.mode = mode;
        server.slowMs = 6000;
        const statuses: BackendStatus[] = [];
        store.onStatusChange((s) => statuses.push(s));
        const atOutage = server.requests;
        const queued = [];
        for (let i = 0; i < 5; i++) queued.push(await service.add({ content: `offline decision ${i}`, category: 'project' }));
        // Bounded latency: once the breaker's three failures are counted, later writes are queued without asking
        // the dead server at all (and each failed request was bounded by the client's timeout, not the slow reply).
        assert.ok(server.requests - atOutage <= 3, `the server was asked ${server.requests - atOutage} times for five writes`);
        assert.ok(queued.every((r) => r.memory.id.startsWith('pending:')));
        assert.equal(store.status().state, 'down');
        assert.equal(store.status().queuedWrites, 5);
        assert.ok(statuses.some((s) => s.state === 'down'));
        // While open, the circuit keeps requests away from the server.
        const before = server.requests;
        await service.add({ content: 'one more offline write', category: 'project' });
        assert.equal(server.requests, before);

        server.mode = 'none';
        clock.now += 1000;
        await store.replay();
        assert.equal(store.status().state, 'connected');
        assert.equal(store.status().queuedWrites, 0);
        const expected = ['one more offline write', 'written while the server is up', ...Array.from({ length: 5 }, (_, i) => `offline decision ${i}`)].sort();
        assert.deepEqual(contents(server), expected);
      });
    }

    it('replays a write whose reply was lost without creating a duplicate, also after a restart', async () => {
      const { server, service, open, dir, clock } = await setup(dialect, { timeoutMs: 300 });
      server.mode = 'commit-then-reset';
      const result = await service.add({ content: 'the reply to this add is lost', category: 'team' });
      assert.ok(result.memory.id.startsWith('pending:'));
      server.mode = 'none';
      const journal = (await readFile(join(dir, 'outbox.jsonl'), 'utf8')).trim().split('\n');
      assert.ok(journal.some((line) => line.includes('the reply to this add is lost')));
      // A new process picks the outbox up from disk.
      const restarted = open();
      clock.now += 1000;
      await restarted.store.replay();
      assert.deepEqual(contents(server), ['the reply to this add is lost']);
      assert.equal(restarted.store.queuedWrites, 0);
    });
  });
}

describe('mem0 error codes', () => {
  it('does not retry or queue a 502 the server marks as permanent (provider_auth_failed)', async () => {
    const { server, service, store } = await setup('mem0');
    server.mode = '502-auth';
    await assert.rejects(service.add({ content: 'needs a working LLM provider', category: 'project' }), /502 \(provider_auth_failed\)/);
    // One listing (for deduplication), one near-duplicate search and one add, none retried.
    assert.equal(server.requests, 3);
    assert.equal(store.queuedWrites, 0);
  });

  it('reads fall back to the last good answer while the server is down', async () => {
    const { server, service } = await setup('mem0', { timeoutMs: 150 });
    await service.add({ content: 'cache me if you can', category: 'pattern' });
    const fresh = await service.list();
    server.mode = '500';
    const stale = await service.list();
    assert.deepEqual(stale.map((m) => m.id), fresh.map((m) => m.id));
  });
});

describe('mem0 outbox shared by several processes', () => {
  it('keeps every add acknowledged by concurrent writers while the server is down, and replays each exactly once', { timeout: 300_000 }, async () => {
    const server = await startMem0Server('mem0', KEY);
    after(() => server.close());
    server.mode = '500';
    const dir = await tempDir();
    const script = await buildChild('test/helpers/mem0OutboxWriterChild.ts');
    const children = ['cli-a', 'cli-b', 'cli-c'].map((label) => {
      const child = spawn(process.execPath, [script, server.url, dir, '30', label], { stdio: ['ignore', 'pipe', 'inherit'] });
      const acks: string[] = [];
      const lines = createInterface({ input: child.stdout });
      lines.on('line', (line) => line.startsWith('ack ') && acks.push(line.slice(4)));
      return { acks, exited: new Promise<number | null>((resolve) => child.on('close', resolve)) };
    });
    const extensions = [openMem0(server.url, dir), openMem0(server.url, dir)];
    after(() => Promise.all(extensions.map((e) => e.store.dispose())));
    const inProcess: string[] = [];
    await Promise.all(
      extensions.flatMap(({ service }, e) =>
        [0, 1, 2].map(async (w) => {
          for (let i = 0; i < 10; i++) {
            const content = `extension ${e} worker ${w} queued decision ${i}`;
            await service.add({ content, category: 'project' });
            inProcess.push(content);
          }
        }),
      ),
    );
    assert.deepEqual(await Promise.all(children.map((c) => c.exited)), [0, 0, 0]);
    const acknowledged = [...inProcess, ...children.flatMap((c) => c.acks)].sort();
    assert.equal(acknowledged.length, 150);
    assert.equal(server.memories.size, 0);
    assert.equal((await new Outbox(dir).pending()).length, 150);

    server.mode = 'none';
    const fresh = openMem0(server.url, dir);
    after(() => fresh.store.dispose());
    // Two replays at once (the extension and a CLI run, say): each queued write reaches the server once.
    await Promise.all([extensions[1]?.store.replay(), fresh.store.replay()]);
    await fresh.store.replay();
    assert.deepEqual(contents(server), acknowledged);
    assert.equal(fresh.store.queuedWrites, 0);
  });
});

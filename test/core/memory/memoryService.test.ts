import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CategoryRegistry } from '../../../src/core/memory/categoryRegistry';
import { EmbeddedStore } from '../../../src/core/memory/embeddedStore';
import { MemoryService } from '../../../src/core/memory/memoryService';
import { contentHash, splitWords, stem } from '../../../src/core/memory/text';
import { tempDir } from '../../helpers/tempDir';

async function open() {
  const dir = await tempDir();
  const store = new EmbeddedStore(dir);
  return { store, service: new MemoryService(store, new CategoryRegistry(dir), store) };
}

describe('MemoryService', () => {
  it('relevantForTask returns at most five memories that fit the token budget, sessions excluded', async () => {
    const { service } = await open();
    for (let i = 0; i < 8; i++) await service.add({ content: `Deployment note ${i}: blue-green deploys on Kubernetes ${'detail '.repeat(i * 10)}`, category: 'project' });
    await service.storeSessionContext('s1', { currentTask: 'Kubernetes deployment' });
    const all = await service.relevantForTask('kubernetes deployment', { tokenBudget: 100_000 });
    assert.equal(all.length, 5);
    assert.ok(all.every((m) => m.category !== 'session'));
    const tight = await service.relevantForTask('kubernetes deployment', { tokenBudget: 60 });
    const tokens = tight.reduce((n, m) => n + Math.ceil(m.content.length / 4), 0);
    assert.ok(tight.length >= 1 && tokens <= 60, `${tight.length} memories, ${tokens} tokens`);
  });

  it('recordOutcome turns a completed step into a project memory and a failure into an error memory', async () => {
    const { service } = await open();
    const done = await service.recordOutcome({ task: 'Add login rate limiting', status: 'completed', agentType: 'engineer', summary: 'Used a token bucket per IP' });
    const failed = await service.recordOutcome({ task: 'Run migrations', status: 'failed', agentType: 'ops', summary: 'Stopped at step 3', error: 'relation "users" already exists' });
    assert.equal(done.memory.category, 'project');
    assert.deepEqual(done.memory.tags, ['completed', 'agent:engineer']);
    assert.equal(failed.memory.category, 'error');
    assert.match(failed.memory.content, /relation "users" already exists/);
    const solutions = await service.errorSolutions('relation already exists', 'migrations');
    assert.equal(solutions[0]?.memory.id, failed.memory.id);
  });

  it('stores, replaces and reads session contexts, and switches context carrying pattern memories', async () => {
    const { service } = await open();
    await service.storeSessionContext('session-123', { currentTask: 'Implementing user authentication', technologies: ['FastAPI', 'JWT'], progress: '70%' });
    await service.storeSessionContext('session-123', { currentTask: 'Implementing user authentication', progress: '90%', nextSteps: ['Add 2FA'] });
    assert.deepEqual(await service.getSessionContext('session-123'), { currentTask: 'Implementing user authentication', progress: '90%', nextSteps: ['Add 2FA'] });
    assert.equal((await service.list({ category: 'session' })).length, 1);
    assert.equal(await service.getSessionContext('other'), undefined);

    const pattern = await service.addPattern({ patternType: 'authentication', implementation: 'JWT with refresh tokens', useCase: 'API authentication' });
    await service.add({ content: 'Authentication decision: sessions are stateless', category: 'project' });
    const carried = await service.switchContext('authentication', 'database_migration', { transferRelevantMemories: true });
    assert.deepEqual(carried.map((m) => m.id), [pattern.memory.id]);
    assert.ok((await service.get(pattern.memory.id))?.tags.includes('context:database_migration'));
    assert.deepEqual(await service.switchContext('authentication', 'x', { preservePatterns: false }), []);
  });

  it('lookup answers nothing before the index is loaded, then puts pattern and error memories first', async () => {
    const dir = await tempDir();
    const first = new EmbeddedStore(dir);
    const firstService = new MemoryService(first, new CategoryRegistry(dir), first);
    await firstService.add({ content: 'parseConfig must validate unknown keys', category: 'project' });
    await firstService.add({ content: 'parseConfig throws on BOM: strip it first', category: 'error' });
    await firstService.add({ content: 'Use zod safeParse in parseConfig', category: 'pattern' });

    const store = new EmbeddedStore(dir);
    const service = new MemoryService(store, new CategoryRegistry(dir), store);
    assert.deepEqual(service.lookup('parseConfig'), []);
    await store.load();
    const hits = service.lookup('parseConfig');
    assert.equal(hits.length, 3);
    assert.deepEqual(hits.slice(0, 2).map((h) => h.memory.category).sort(), ['error', 'pattern']);
    assert.equal(hits[2]?.memory.category, 'project');
    assert.deepEqual(new Map(Object.entries(service.counts())), new Map([['project', 1], ['error', 1], ['pattern', 1]]));
  });

  it('content hashes ignore case and spacing but not category (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.constantFrom('project', 'team'), (text, category) => {
        assert.equal(contentHash(`  ${text.toUpperCase()}  `, category), contentHash(text.toLowerCase(), category));
        assert.notEqual(contentHash(text, 'project'), contentHash(text, 'error'));
      }),
    );
  });

  it('splits identifiers and stems inflections to a shared root', () => {
    assert.deepEqual(splitWords('parseHTTPConfig_file.readAll'), ['parse', 'HTTP', 'Config', 'file', 'read', 'All']);
    assert.equal(stem('deploying'), stem('deployed'));
    assert.equal(stem('migrations'), stem('migration'));
  });
});

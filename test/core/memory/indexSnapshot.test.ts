import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CategoryRegistry } from '../../../src/core/memory/categoryRegistry';
import { EmbeddedStore } from '../../../src/core/memory/embeddedStore';
import { MemoryService } from '../../../src/core/memory/memoryService';
import { tempDir } from '../../helpers/tempDir';

function open(dir: string) {
  const store = new EmbeddedStore(dir);
  return { store, service: new MemoryService(store, new CategoryRegistry(dir), store) };
}

/** Stores below a thousand memories index faster than they load a saved index, so none is saved for them. */
const filler = Array.from({ length: 1000 }, (_, i) => ({ content: `unrelated filler memory ${i} about lorem ipsum`, category: 'team' }));
const exists = (path: string) => stat(path).then(() => true, () => false);
const found = async (service: MemoryService, query: string) => (await service.search(query, { limit: 20 })).map((h) => h.memory.content).sort();

describe('saved search index', () => {
  it('a listing never builds or saves the index; a search saves it for the next process', async () => {
    const dir = await tempDir();
    const writer = open(dir);
    await writer.service.addBatch([...filler, ...Array.from({ length: 50 }, (_, i) => ({ content: `retry policy number ${i} for the gateway`, category: 'pattern' }))]);
    await writer.service.dispose();
    const lister = open(dir);
    assert.equal((await lister.service.list()).length, 1050);
    assert.equal(lister.store.isLoaded, false);
    await lister.service.dispose();
    assert.equal(await exists(join(dir, 'index.snapshot')), false);

    const searcher = open(dir);
    assert.equal((await found(searcher.service, 'gateway retry')).length, 20);
    await searcher.service.dispose();
    assert.equal(await exists(join(dir, 'index.snapshot')), true);
  });

  it('re-indexes what the log gained, changed and lost after the saved index, and ignores a stale or damaged one', async () => {
    const dir = await tempDir();
    const first = open(dir);
    await first.service.addBatch(filler);
    const kept = await first.service.add({ content: 'the deploy script needs the staging token', category: 'project' });
    const changed = await first.service.add({ content: 'flaky websocket reconnect test', category: 'error' });
    const dropped = await first.service.add({ content: 'obsolete websocket proxy note', category: 'project' });
    await first.service.search('websocket');
    await first.service.dispose();
    const saved = await readFile(join(dir, 'index.snapshot'), 'utf8');

    // Another process writes after the index was saved.
    const other = open(dir);
    await other.service.add({ content: 'websocket heartbeat every 30 seconds', category: 'team' });
    await other.service.update(changed.memory.id, { content: 'flaky reconnect test fixed by a longer timeout' });
    await other.service.delete(dropped.memory.id);

    const later = open(dir);
    assert.deepEqual(await found(later.service, 'websocket'), ['websocket heartbeat every 30 seconds']);
    assert.deepEqual(await found(later.service, 'staging token'), [kept.memory.content]);
    assert.deepEqual(await found(later.service, 'longer timeout'), ['flaky reconnect test fixed by a longer timeout']);

    // A damaged copy (one byte changed) is rebuilt, not trusted.
    await writeFile(join(dir, 'index.snapshot'), saved.replace('staging', 'stagimg'));
    assert.deepEqual(await found(open(dir).service, 'staging token'), [kept.memory.content]);
    await writeFile(join(dir, 'index.snapshot'), saved.slice(0, saved.length / 2));
    assert.deepEqual(await found(open(dir).service, 'websocket'), ['websocket heartbeat every 30 seconds']);

    // After a compaction (a new log generation) the old saved index no longer applies.
    await writeFile(join(dir, 'index.snapshot'), saved);
    await other.store.compact();
    const compacted = open(dir);
    assert.deepEqual(await found(compacted.service, 'websocket'), ['websocket heartbeat every 30 seconds']);
    await compacted.service.dispose();
    const header = JSON.parse((await readFile(join(dir, 'index.snapshot'), 'utf8')).split('\n')[0] as string) as { generation: string };
    const log = JSON.parse((await readFile(join(dir, 'events.jsonl'), 'utf8')).split('\n')[0] as string) as { generation: string };
    assert.equal(header.generation, log.generation);
  });
});

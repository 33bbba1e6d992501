import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import { CategoryRegistry } from '../../../src/core/memory/categoryRegistry';
import { EmbeddedStore } from '../../../src/core/memory/embeddedStore';
import { EMPTY_POSITION, EventLog } from '../../../src/core/memory/eventLog';
import { IndexSnapshot } from '../../../src/core/memory/indexSnapshot';
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
    const saved = await readFile(join(dir, 'index.snapshot'));

    // Another process writes after the index was saved.
    const other = open(dir);
    await other.service.add({ content: 'websocket heartbeat every 30 seconds', category: 'team' });
    await other.service.update(changed.memory.id, { content: 'flaky reconnect test fixed by a longer timeout' });
    await other.service.delete(dropped.memory.id);

    const later = open(dir);
    assert.deepEqual(await found(later.service, 'websocket'), ['websocket heartbeat every 30 seconds']);
    assert.deepEqual(await found(later.service, 'staging token'), [kept.memory.content]);
    assert.deepEqual(await found(later.service, 'longer timeout'), ['flaky reconnect test fixed by a longer timeout']);

    // A damaged copy (one byte changed, cut short, another format version, or bytes that match their checksum
    // but do not hold together) is never trusted: the store answers from a fresh index and saves a good one.
    const snapshotPath = join(dir, 'index.snapshot');
    const headerEnd = saved.indexOf(0x0a) + 1;
    const flipped = Buffer.from(saved);
    flipped[saved.length - 5] = (flipped[saved.length - 5] as number) ^ 0xff;
    const savedHeader = JSON.parse(saved.toString('utf8', 0, headerEnd)) as Record<string, unknown>;
    const foreign = Buffer.concat([Buffer.from(`${JSON.stringify({ ...savedHeader, v: 1 })}\n`), saved.subarray(headerEnd)]);
    const garbled = Buffer.from(saved.subarray(headerEnd));
    // The first posting names a document the index does not have (the postings are the last 2 × count words).
    garbled.writeUInt32LE(0xffffffff, garbled.length - 8 * garbled.readUInt32LE(20));
    const rechecked = Buffer.concat([Buffer.from(`${JSON.stringify({ ...savedHeader, crc32: crc32(garbled) })}\n`), garbled]);
    for (const [n, damaged] of [flipped, saved.subarray(0, saved.length / 2), foreign, rechecked].entries()) {
      await writeFile(snapshotPath, damaged);
      const reader = open(dir);
      assert.deepEqual(await found(reader.service, 'staging token'), [kept.memory.content]);
      assert.deepEqual(await found(reader.service, 'websocket'), ['websocket heartbeat every 30 seconds']);
      await reader.service.dispose();
      assert.notDeepEqual(await readFile(snapshotPath), damaged, `case ${n}`);
      const { position } = await new EventLog(dir).readFrom(EMPTY_POSITION, { restart: () => undefined, event: () => undefined });
      assert.ok(await new IndexSnapshot(dir).read(position), 'a valid index is saved again');
    }

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

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
    // The index's first posting names a document it does not have (its postings are its last 2 × count words).
    const indexBytes = savedHeader.indexBytes as number;
    garbled.writeUInt32LE(0xffffffff, indexBytes - 8 * garbled.readUInt32LE(20));
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

  it('opens from the snapshot with its index ready and reads only what the log gained after it', async () => {
    const dir = await tempDir();
    const first = open(dir);
    await first.service.addBatch(filler);
    const changed = await first.service.add({ content: 'the cache is warmed by a cron job', category: 'project' });
    const dropped = await first.service.add({ content: 'obsolete note about the cron job', category: 'project' });
    await first.service.search('cron');
    await first.service.dispose();

    const other = open(dir);
    await other.service.update(changed.memory.id, { content: 'the cache is warmed on deploy' });
    await other.service.delete(dropped.memory.id);
    const added = await other.service.add({ content: 'cron jobs run in UTC', category: 'team' });
    // Deduplication sees the saved memories too.
    assert.equal((await other.service.add({ content: filler[7]?.content as string, category: 'team' })).duplicate, true);

    const later = open(dir);
    assert.equal((await later.service.get(added.memory.id))?.content, 'cron jobs run in UTC');
    assert.equal(later.store.isLoaded, true, 'the index came with the snapshot, no search needed');
    assert.deepEqual(await found(later.service, 'cron'), ['cron jobs run in UTC']);
    assert.equal((await later.service.get(changed.memory.id))?.content, 'the cache is warmed on deploy');
    assert.equal(await later.service.get(dropped.memory.id), undefined);
    assert.equal((await later.service.list()).length, 1002);
    assert.equal((await later.service.add({ content: 'cron jobs run in UTC', category: 'team' })).duplicate, true);
    await later.service.dispose();
  });

  it('is not matched with a log rewritten in place under the same generation', async () => {
    const dir = await tempDir();
    const first = open(dir);
    await first.service.addBatch([...filler, { content: 'the gateway retries twice', category: 'pattern' }]);
    await first.service.search('gateway');
    await first.service.dispose();
    const logPath = join(dir, 'events.jsonl');
    await writeFile(logPath, (await readFile(logPath, 'utf8')).replace('the gateway retries twice', 'the gateway retries never'));
    const reopened = open(dir);
    assert.deepEqual(await found(reopened.service, 'gateway'), ['the gateway retries never']);
    await reopened.service.dispose();
  });

  it('reports a saved memory that fails validation, removes the snapshot and reads the log on the next request', async () => {
    const dir = await tempDir();
    const first = open(dir);
    await first.service.addBatch(filler);
    await first.service.search('lorem');
    await first.service.dispose();
    const snapshotPath = join(dir, 'index.snapshot');
    const saved = await readFile(snapshotPath);
    const headerEnd = saved.indexOf(0x0a) + 1;
    const header = JSON.parse(saved.toString('utf8', 0, headerEnd)) as Record<string, unknown>;
    // A record that is not a memory, with a checksum that matches: written by hand, not by a crash.
    const payload = Buffer.from(saved.subarray(headerEnd));
    const record = payload.indexOf('{"id":', header.indexBytes as number);
    payload.write('[', record);
    await writeFile(snapshotPath, Buffer.concat([Buffer.from(`${JSON.stringify({ ...header, crc32: crc32(payload) })}\n`), payload]));

    const reader = open(dir);
    await assert.rejects(reader.service.list(), (error: Error) => error.message.includes(snapshotPath) && error.message.includes('read again'));
    assert.equal((await reader.service.list()).length, 1000);
    assert.equal(await exists(snapshotPath), false);
    await reader.service.dispose();
  });
});

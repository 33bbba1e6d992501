import assert from 'node:assert/strict';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CategoryRegistry } from '../../../src/core/memory/categoryRegistry';
import { EmbeddedStore } from '../../../src/core/memory/embeddedStore';
import { MemoryService } from '../../../src/core/memory/memoryService';
import { createLogger } from '../../../src/core/common/logger';
import { tempDir } from '../../helpers/tempDir';

function open(dir: string, warnings: string[] = []) {
  const store = new EmbeddedStore(dir, createLogger((level, line) => level === 'warn' && warnings.push(line)));
  return { store, service: new MemoryService(store, new CategoryRegistry(dir), store) };
}

describe('EmbeddedStore', () => {
  it('persists adds, updates and deletes in the event log and replays them on reopen', async () => {
    const dir = await tempDir();
    const { service } = open(dir);
    const a = await service.add({ content: 'Use JWT with refresh tokens for API auth', category: 'project', tags: ['auth'], metadata: { technology: 'FastAPI' } });
    const b = await service.add({ content: 'Retry flaky network calls with exponential backoff', category: 'pattern' });
    await service.update(a.memory.id, { content: 'Use JWT with short-lived access tokens and refresh tokens' });
    assert.equal(await service.delete(b.memory.id), true);
    assert.equal(await service.delete(b.memory.id), false);

    const reopened = open(dir).service;
    const all = await reopened.list();
    assert.deepEqual(all.map((m) => m.content), ['Use JWT with short-lived access tokens and refresh tokens']);
    assert.deepEqual(all[0]?.metadata, { technology: 'FastAPI' });
    const history = await reopened.history(a.memory.id);
    assert.deepEqual(history.map((h) => h.event), ['ADD', 'UPDATE']);
    assert.equal(history[1]?.oldContent, 'Use JWT with refresh tokens for API auth');
  });

  it('deduplicates by content hash (case and whitespace insensitive) and flags near-duplicates', async () => {
    const dir = await tempDir();
    const { service } = open(dir);
    const first = await service.add({ content: 'Always run database migrations inside a transaction', category: 'team' });
    const again = await service.add({ content: '  always run DATABASE migrations   inside a transaction ', category: 'team' });
    assert.equal(again.duplicate, true);
    assert.equal(again.memory.id, first.memory.id);
    const otherCategory = await service.add({ content: 'Always run database migrations inside a transaction', category: 'project' });
    assert.equal(otherCategory.duplicate, false);
    const near = await service.add({ content: 'Always run the database migrations inside a transaction!', category: 'team' });
    assert.equal(near.duplicate, false);
    assert.equal(near.memory.nearDuplicateOf, first.memory.id);
    assert.equal((await service.list({ category: 'team' })).length, 2);
  });

  it('rejects unknown categories until registered, keeping other keys of categories.json', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'categories.json'), '{"legacy": "kept as is"}');
    const { service } = open(dir);
    await assert.rejects(service.add({ content: 'x', category: 'security' }), /Unknown memory category 'security'/);
    await service.registerCategory('security', 'Security-related memories');
    await service.add({ content: 'Rotate the signing keys every 90 days', category: 'security' });
    const file = JSON.parse(await readFile(join(dir, 'categories.json'), 'utf8')) as Record<string, string>;
    assert.deepEqual(file, { legacy: 'kept as is', security: 'Security-related memories' });
    await assert.rejects(service.registerCategory('Bad Name', 'x'), /Invalid category/);
    await assert.rejects(service.registerCategory('pattern', 'x'), /built-in/);
  });

  it('searches with category, tag, technology filters and a relative threshold', async () => {
    const dir = await tempDir();
    const { service } = open(dir);
    await service.addPattern({ patternType: 'authentication', implementation: 'JWT with refresh tokens', useCase: 'API authentication', technology: 'FastAPI' });
    await service.addPattern({ patternType: 'caching', implementation: 'LRU cache with TTL for reads', useCase: 'slow API reads', technology: 'Node' });
    await service.add({ content: 'ImportError at FastAPI startup: install python-multipart', category: 'error' });
    const hits = await service.searchPatterns('authentication JWT', { technology: 'fastapi' });
    assert.equal(hits.length, 1);
    assert.match(hits[0]?.memory.content ?? '', /JWT with refresh tokens/);
    assert.equal(hits[0]?.score, 1);
    assert.equal((await service.searchPatterns('authentication JWT', { technology: 'Node' })).length, 0);
    const errors = await service.errorSolutions('ImportError', 'FastAPI application startup');
    assert.equal(errors[0]?.memory.category, 'error');
    assert.equal((await service.search('API', { tags: ['caching'] })).length, 1);
    const loose = await service.search('API reads authentication');
    const strict = await service.search('API reads authentication', { threshold: 0.99 });
    assert.ok(strict.length < loose.length);
  });

  it('sees writes of another store instance (another process) on refresh', async () => {
    const dir = await tempDir();
    const a = open(dir);
    const b = open(dir);
    await a.store.load();
    await b.service.add({ content: 'Written by the CLI', category: 'project' });
    assert.equal(a.store.snapshot().length, 0);
    assert.equal(await a.store.refresh(), true);
    assert.deepEqual(a.store.snapshot().map((m) => m.content), ['Written by the CLI']);
    // Deduplication holds across instances because writes catch up under the lock first.
    assert.equal((await a.service.add({ content: 'written by the cli', category: 'project' })).duplicate, true);
  });

  it('skips corrupt lines with a warning, keeps them aside, and ignores a truncated tail', async () => {
    const dir = await tempDir();
    const { service } = open(dir);
    await service.add({ content: 'first', category: 'project' });
    const log = join(dir, 'events.jsonl');
    await appendFile(log, '{not json\n{"e":"create","at":"x"}\n');
    await service.add({ content: 'second', category: 'project' });
    await appendFile(log, '{"e":"create","at":"2026-01-01T00:00:00Z","memory":{"id":"cut');
    const warnings: string[] = [];
    const reopened = open(dir, warnings);
    assert.deepEqual((await reopened.service.list()).map((m) => m.content).sort(), ['first', 'second']);
    assert.ok(warnings.some((w) => /2 unreadable line/.test(w)), warnings.join('\n'));
    const aside = await readFile(join(dir, 'corrupt.jsonl'), 'utf8');
    assert.match(aside, /\{not json/);
    // The next write isolates the cut line instead of gluing onto it.
    await reopened.service.add({ content: 'third', category: 'project' });
    const again = open(dir);
    assert.deepEqual((await again.service.list()).map((m) => m.content).sort(), ['first', 'second', 'third']);
  });

  it('compacts the log to one event per live memory, and other instances reload after the rename', async () => {
    const dir = await tempDir();
    const a = open(dir);
    const b = open(dir);
    const kept = await a.service.add({ content: 'kept', category: 'project' });
    const gone = await a.service.add({ content: 'gone', category: 'project' });
    await a.service.update(kept.memory.id, { tags: ['x'] });
    await a.service.delete(gone.memory.id);
    await b.store.load();
    await a.store.compact();
    const [header, ...lines] = (await readFile(join(dir, 'events.jsonl'), 'utf8')).trim().split('\n');
    assert.match(header as string, /^\{"claude_pm_memory_log":1,"generation":"[0-9a-f-]{36}"\}$/);
    assert.equal(lines.length, 1);
    await a.service.add({ content: 'after compaction', category: 'project' });
    await b.store.refresh();
    assert.deepEqual(b.store.snapshot().map((m) => m.content).sort(), ['after compaction', 'kept']);
    assert.deepEqual(b.store.snapshot().find((m) => m.content === 'kept')?.tags, ['x']);
  });

  it('rejects updates of unknown ids and malformed category files with clear errors', async () => {
    const dir = await tempDir();
    const { service } = open(dir);
    await assert.rejects(service.update('nope', { content: 'x' }), /No memory with id 'nope'/);
    await writeFile(join(dir, 'categories.json'), '{oops');
    await assert.rejects(open(dir).service.registerCategory('ops', 'x'), /categories.json is not valid JSON/);
  });
});

import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { TicketParseCache, ticketCacheDir } from '../../../src/core/tickets/parseCache';
import { scanTicketTree } from '../../../src/core/tickets/scan';
import { TicketTracker } from '../../../src/core/tickets/tracker';
import { tempDir } from '../../helpers/tempDir';

const ticket = (id: string, title: string) => `---\nissue_id: ${id}\ntitle: ${title}\nstatus: planning\npriority: medium\ncreated_date: 2025-07-01T00:00:00.000Z\nupdated_date: 2025-07-01T00:00:00.000Z\n---\n`;
// Files older than the racy window, so that the cache keeps them.
const PAST = new Date('2025-01-01T00:00:00Z');

async function workspace(): Promise<{ ws: string; cacheDir: string; file: (n: number) => string }> {
  const ws = await tempDir();
  const cacheDir = await tempDir();
  await mkdir(join(ws, 'tasks/issues'), { recursive: true });
  const file = (n: number) => join(ws, `tasks/issues/ISS-000${n}-t.md`);
  for (const n of [1, 2, 3]) {
    await writeFile(file(n), ticket(`ISS-000${n}`, `Title ${n}`));
    await utimes(file(n), PAST, PAST);
  }
  return { ws, cacheDir, file };
}

const titles = async (ws: string, cacheDir: string) => (await TicketTracker.open(ws, { cacheDir })).index.query({}).map((t) => t.title);

describe('ticket parse cache', () => {
  it('answers a warm open from the cache, keyed by size and mtime, and re-reads a file that changed', async () => {
    const { ws, cacheDir, file } = await workspace();
    assert.deepEqual(await titles(ws, cacheDir), ['Title 1', 'Title 2', 'Title 3']);
    assert.equal((await readdir(cacheDir)).length, 1);

    // Same size and mtime, other bytes: the cache answers (which is how a warm open skips reading).
    await writeFile(file(1), ticket('ISS-0001', 'Title X'));
    await utimes(file(1), PAST, PAST);
    assert.deepEqual(await titles(ws, cacheDir), ['Title 1', 'Title 2', 'Title 3']);

    // A new mtime or size: read again.
    await utimes(file(1), new Date('2025-02-01T00:00:00Z'), new Date('2025-02-01T00:00:00Z'));
    await writeFile(file(2), ticket('ISS-0002', 'A longer title 2'));
    assert.deepEqual(await titles(ws, cacheDir), ['Title X', 'A longer title 2', 'Title 3']);
  });

  it('ignores a corrupt cache, one of another reader version and one of another root', async () => {
    const { ws, cacheDir } = await workspace();
    await titles(ws, cacheDir);
    const [name] = await readdir(cacheDir);
    const path = join(cacheDir, name);
    const good = JSON.parse(await readFile(path, 'utf8')) as { reader: number; root: string; entries: [string, number, number, { ticket?: { title: string } }][] };
    for (const entry of good.entries) if (entry[3].ticket) entry[3].ticket.title = 'poisoned';

    for (const bad of ['{not json', JSON.stringify({ ...good, reader: good.reader - 1 }), JSON.stringify({ ...good, root: '/elsewhere' })]) {
      await writeFile(path, bad);
      assert.deepEqual(await titles(ws, cacheDir), ['Title 1', 'Title 2', 'Title 3']);
    }
    // The same poisoned entries under the right version and root are used: the checks above are what kept them out.
    await writeFile(path, JSON.stringify(good));
    assert.deepEqual(await titles(ws, cacheDir), ['poisoned', 'poisoned', 'poisoned']);
  });

  it('leaves out files too young to trust and forgets deleted ones', async () => {
    const { ws, cacheDir, file } = await workspace();
    await writeFile(file(4), ticket('ISS-0004', 'Fresh'));
    const root = join(ws, 'tasks');
    const cache = await TicketParseCache.open(root, cacheDir);
    await scanTicketTree(root, cache);
    const [name] = await readdir(cacheDir);
    const stored = () => readFile(join(cacheDir, name), 'utf8').then((t) => (JSON.parse(t) as { entries: [string][] }).entries.map((e) => e[0]).sort());
    assert.deepEqual(await stored(), [file(1), file(2), file(3)]);
    const { rm } = await import('node:fs/promises');
    await rm(file(3));
    await scanTicketTree(root, await TicketParseCache.open(root, cacheDir));
    assert.deepEqual(await stored(), [file(1), file(2)]);
  });

  it('answers with what a fresh read gives, diagnostics included, and is not rewritten when nothing changed', async () => {
    const { ws, cacheDir, file } = await workspace();
    await writeFile(file(4), '---\nissue_id: ISS-0004\ntitle: Odd\nstatus: not-a-status\n---\n');
    await writeFile(file(5), '---\ntitle: [unclosed\n---\n');
    await writeFile(join(ws, 'tasks/issues/README.md'), '# Notes\n');
    for (const n of [4, 5]) await utimes(file(n), PAST, PAST);
    await utimes(join(ws, 'tasks/issues/README.md'), PAST, PAST);
    const root = join(ws, 'tasks');
    // Compared as JSON: the cache, like any JSON, keeps no keys whose value is undefined.
    const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
    const fresh = plain(await scanTicketTree(root)) as Awaited<ReturnType<typeof scanTicketTree>>;
    assert.deepEqual(plain(await scanTicketTree(root, await TicketParseCache.open(root, cacheDir))), fresh);
    const [name] = await readdir(cacheDir);
    assert.ok(fresh.some((p) => p.diagnostics.length > 0), 'the tree has files with diagnostics');

    const { mtimeMs } = await stat(join(cacheDir, name));
    await utimes(join(cacheDir, name), PAST, PAST);
    const warm = await scanTicketTree(root, await TicketParseCache.open(root, cacheDir));
    assert.deepEqual(plain(warm), fresh);
    assert.ok(warm.every((p) => p.diagnostics.every((d) => d.file.startsWith(root))), 'every diagnostic names its file');
    assert.ok(mtimeMs > PAST.getTime());
    assert.equal((await stat(join(cacheDir, name))).mtimeMs, PAST.getTime(), 'an unchanged tree leaves the cache file alone');
  });

  it('lives in the user cache folder, never without one', () => {
    assert.equal(ticketCacheDir({ CLAUDE_PM_CACHE_DIR: '/c' }), '/c/tickets');
    assert.equal(ticketCacheDir({ XDG_CACHE_HOME: '/x', HOME: '/h' }), '/x/claude-pm/tickets');
    assert.equal(ticketCacheDir({ HOME: '/h' }), '/h/.cache/claude-pm/tickets');
    assert.equal(ticketCacheDir({}), undefined);
  });
});

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { CategoryRegistry } from '../../../src/core/memory/categoryRegistry';
import { EmbeddedStore } from '../../../src/core/memory/embeddedStore';
import { MemoryService } from '../../../src/core/memory/memoryService';
import { buildChild } from '../../helpers/buildChild';
import { cli } from '../../helpers/runCli';
import { tempDir } from '../../helpers/tempDir';

const run = promisify(execFile);

function open(dir: string) {
  const store = new EmbeddedStore(dir);
  return { store, service: new MemoryService(store, new CategoryRegistry(dir), store) };
}

// A hang fails these tests by their timeout; before the fix `add` never settled and spun at 100% CPU.
describe('a memory store that cannot load says so', { timeout: 60_000 }, () => {
  it('answers every call with an error naming the log when a folder is in its place, then recovers once it is moved', async () => {
    const root = await tempDir();
    const dir = join(root, '.claude-pm', 'memory');
    await mkdir(join(dir, 'events.jsonl'), { recursive: true });
    const { store, service } = open(dir);
    for (const attempt of [
      () => service.add({ content: 'first', category: 'project' }),
      () => service.add({ content: 'second', category: 'project' }),
      () => service.list(),
      () => service.search('first'),
      () => store.load(),
    ]) {
      await assert.rejects(attempt(), (error: Error) => error.message.includes(join(dir, 'events.jsonl')) && /move it aside/.test(error.message));
    }
    const viaCli = await cli(['memory', 'add', '--category', 'project', 'from the CLI'], { cwd: root });
    assert.equal(viaCli.code, 1);
    assert.match(viaCli.stderr, /events\.jsonl.*move it aside/);
    assert.equal((await cli(['memory', 'list'], { cwd: root })).code, 1);

    await rm(join(dir, 'events.jsonl'), { recursive: true });
    await service.add({ content: 'after the fix', category: 'project' });
    assert.deepEqual((await service.list()).map((m) => m.content), ['after the fix']);
  });

  it('keeps no memory in RAM whose append failed (EFBIG under a file size limit)', async () => {
    const script = await buildChild('test/helpers/memoryFailingAppendChild.ts');
    const dir = await tempDir();
    await open(dir).service.add({ content: 'saved before the limit', category: 'project' });
    // 16 blocks of 512 bytes: room for the existing log, not for a 20 kB memory.
    const { stdout } = await run('bash', ['-c', 'ulimit -f 16 && exec "$0" "$@"', process.execPath, script, dir]);
    const seen = JSON.parse(stdout) as { error: string; inSnapshot: boolean; listed: boolean; found: boolean; count: number };
    assert.match(seen.error, /Cannot write the memory log .*events\.jsonl/);
    assert.deepEqual({ inSnapshot: seen.inSnapshot, listed: seen.listed, found: seen.found, count: seen.count }, { inSnapshot: false, listed: false, found: false, count: 1 });
    // A fresh reader agrees: the cut-short line is not a memory.
    const after = open(dir);
    assert.deepEqual((await after.service.list()).map((m) => m.content), ['saved before the limit']);
  });

  it('imports 300,000 memories from one file without overflowing the stack', async () => {
    const cwd = await tempDir();
    const file = join(cwd, 'many.jsonl');
    const lines: string[] = [];
    for (let i = 0; i < 300_000; i++) lines.push(`{"content":"m${i}","category":"team"}`);
    await writeFile(file, `${lines.join('\n')}\n`);
    const imported = await cli(['memory', 'import', file, '--format', 'json'], { cwd });
    assert.equal(imported.code, 0, imported.stderr);
    assert.deepEqual(JSON.parse(imported.stdout), { added: 300_000, duplicates: 0 });
    const log = await readFile(join(cwd, '.claude-pm', 'memory', 'events.jsonl'), 'utf8');
    assert.equal(log.split('\n').filter((l) => l.startsWith('{"e":"create"')).length, 300_000);
  });
});

import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startMem0Server } from '../helpers/mem0Server';
import { cli } from '../helpers/runCli';
import { tempDir } from '../helpers/tempDir';

interface Row {
  id: string;
  content: string;
  category: string;
  score?: number;
  metadata: Record<string, unknown>;
  created_at: string;
}

describe('claude-pm memory', () => {
  it('adds, searches (JSON shape), lists, deduplicates and deletes', async () => {
    const cwd = await tempDir();
    const added = await cli(['memory', 'add', '--category', 'pattern', '--tag', 'auth', '--meta', 'technology=FastAPI', '--format', 'json', 'Use JWT with refresh tokens'], { cwd });
    assert.equal(added.code, 0, added.stderr);
    const row = JSON.parse(added.stdout) as Row & { duplicate: boolean };
    assert.equal(row.duplicate, false);
    assert.deepEqual(row.metadata, { technology: 'FastAPI' });
    const again = await cli(['memory', 'add', '--category', 'pattern', 'use JWT with  refresh tokens'], { cwd });
    assert.match(again.stdout, new RegExp(`Already remembered as ${row.id}`));
    await cli(['memory', 'add', '--category', 'error', 'ImportError: install python-multipart'], { cwd });

    const search = await cli(['memory', 'search', 'JWT tokens', '--format', 'json'], { cwd });
    assert.equal(search.code, 0, search.stderr);
    const hits = JSON.parse(search.stdout) as Row[];
    assert.equal(hits.length, 1);
    assert.deepEqual(Object.keys(hits[0] as Row).sort(), ['category', 'content', 'created_at', 'id', 'metadata', 'score', 'tags']);
    assert.equal(hits[0]?.id, row.id);
    assert.equal((JSON.parse((await cli(['memory', 'search', 'JWT', '--category', 'error', '--format', 'json'], { cwd })).stdout) as Row[]).length, 0);

    const list = JSON.parse((await cli(['memory', 'list', '--format', 'json'], { cwd })).stdout) as Row[];
    assert.equal(list.length, 2);
    assert.equal(list.filter((m) => m.category === 'error').length, 1);

    assert.equal((await cli(['memory', 'delete', row.id], { cwd })).code, 0);
    const missing = await cli(['memory', 'delete', row.id], { cwd });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No memory with id/);
  });

  it('reports usage errors with exit code 2 and unknown categories with exit code 1', async () => {
    const cwd = await tempDir();
    assert.equal((await cli(['memory', 'add', 'text'], { cwd })).code, 2);
    assert.equal((await cli(['memory', 'search'], { cwd })).code, 2);
    assert.equal((await cli(['memory', 'list', '--limit', 'lots'], { cwd })).code, 2);
    assert.equal((await cli(['memory', 'add', '--meta', 'novalue', '--category', 'project', 'x'], { cwd })).code, 2);
    const unknown = await cli(['memory', 'add', '--category', 'nope', 'x'], { cwd });
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /Unknown memory category 'nope'/);
  });

  it('exports and imports JSONL round-trip, refusing files with invalid lines', async () => {
    const source = await tempDir();
    await cli(['memory', 'add', '--category', 'team', '--tag', 'style', 'Prefer small pull requests'], { cwd: source });
    await cli(['memory', 'add', '--category', 'project', 'Postgres is the system of record'], { cwd: source });
    const file = join(source, 'out.jsonl');
    assert.equal((await cli(['memory', 'export', file], { cwd: source })).code, 0);
    assert.equal((await readFile(file, 'utf8')).trim().split('\n').length, 2);

    const target = await tempDir();
    const imported = await cli(['memory', 'import', file, '--format', 'json'], { cwd: target });
    assert.equal(imported.code, 0, imported.stderr);
    assert.deepEqual(JSON.parse(imported.stdout), { added: 2, duplicates: 0 });
    assert.deepEqual(JSON.parse((await cli(['memory', 'import', file, '--format', 'json'], { cwd: target })).stdout), { added: 0, duplicates: 2 });
    const rows = JSON.parse((await cli(['memory', 'list', '--format', 'json', '--category', 'team'], { cwd: target })).stdout) as (Row & { tags: string[] })[];
    assert.deepEqual(rows.map((r) => [r.content, r.tags]), [['Prefer small pull requests', ['style']]]);

    const bad = join(target, 'bad.jsonl');
    await writeFile(bad, '{"content":"ok","category":"project"}\n{broken\n{"content":""}\n');
    const refused = await cli(['memory', 'import', bad], { cwd: target });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /bad.jsonl:2: not JSON/);
    assert.match(refused.stderr, /bad.jsonl:3: /);
    assert.equal((JSON.parse((await cli(['memory', 'list', '--format', 'json'], { cwd: target })).stdout) as Row[]).length, 2);
  });

  it('refuses writes to a viewer role', async () => {
    const cwd = await tempDir();
    await mkdir(join(cwd, '.claude-pm'), { recursive: true });
    await writeFile(join(cwd, '.claude-pm', 'policy.json'), JSON.stringify({ default_role: 'viewer' }));
    const denied = await cli(['memory', 'add', '--category', 'project', 'x'], { cwd });
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /memory.write/);
  });

  it('talks to a self-hosted mem0 server with the key from MEM0AI_API_KEY', async () => {
    const server = await startMem0Server('mem0', 'm0sk_cli_key_abcdef');
    after(() => server.close());
    const cwd = await tempDir();
    await mkdir(join(cwd, '.claude-pm'), { recursive: true });
    await writeFile(join(cwd, '.claude-pm', 'config.json'), JSON.stringify({ memory_service: { backend: 'mem0', url: server.url, user_id: 'team-a' } }));
    const env = { MEM0AI_API_KEY: 'm0sk_cli_key_abcdef' };
    const added = await cli(['memory', 'add', '--category', 'team', 'Code review within one working day'], { cwd, env });
    assert.equal(added.code, 0, added.stderr);
    const stored = [...server.memories.values()];
    assert.equal(stored.length, 1);
    assert.equal(stored[0]?.user_id, 'team-a');
    assert.equal(stored[0]?.metadata.category, 'team');
    const hits = JSON.parse((await cli(['memory', 'search', 'code review', '--format', 'json'], { cwd, env })).stdout) as Row[];
    assert.equal(hits[0]?.content, 'Code review within one working day');
    const unauthorised = await cli(['memory', 'list'], { cwd, env: {} });
    assert.equal(unauthorised.code, 1);
    assert.match(unauthorised.stderr, /401.*MEM0AI_API_KEY/s);
    assert.doesNotMatch(unauthorised.stderr, /m0sk_cli_key/);
  });
});

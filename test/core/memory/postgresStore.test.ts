import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { loadConfig } from '../../../src/core/config/loadConfig';
import { migrate } from '../../../src/core/database/migrations';
import { createMemoryService, memoryDir } from '../../../src/core/memory/openMemory';
import { queryWords, selectTerms, tsLexeme } from '../../../src/core/memory/postgresSearch';
import { DatabaseOfflineError, PostgresStore } from '../../../src/core/memory/postgresStore';
import { contentHash } from '../../../src/core/memory/text';
import type { AddResult, MemoryRecord } from '../../../src/core/memory/types';
import { Outbox } from '../../../src/core/memory/outbox';
import { silentLogger } from '../../../src/core/common/logger';
import { cli } from '../../helpers/runCli';
import { PostgresCluster } from '../../helpers/postgresCluster';
import { tempDir } from '../../helpers/tempDir';

// The PostgreSQL memory backend against a real server: one cluster for the file, one database per test so each
// starts empty.

let cluster: PostgresCluster;
let admin: pg.Pool;
let databases = 0;

before(async () => {
  cluster = await PostgresCluster.start();
  admin = new pg.Pool({ connectionString: cluster.url(), max: 2 });
  // The crash test stops the server under this idle pool.
  admin.on('error', () => undefined);
});

after(async () => {
  await admin?.end();
  await cluster?.destroy();
});

async function freshDatabase(): Promise<string> {
  const name = `team${++databases}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = cluster.url('postgres', undefined, name);
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  await migrate(pool);
  await pool.end();
  return url;
}

function workspace(): Promise<string> {
  return tempDir('claude-pm-team-');
}

async function teamService(root: string, url: string, extra: { replayIntervalMs?: number } = {}) {
  const { config } = await loadConfig(root, { memoryBackend: 'postgres' }, {});
  return createMemoryService(config, { databaseUrl: url, ...extra });
}

function add(store: PostgresStore, content: string, category = 'project'): Promise<AddResult> {
  return store.add({ content, category }, contentHash(content, category));
}

async function count(url: string): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    return (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM claude_pm_memories')).rows[0]!.n;
  } finally {
    await pool.end();
  }
}

describe('PostgreSQL memory backend', () => {
  it('two workspaces sharing one database see each other\'s memories, with every field kept', async () => {
    const url = await freshDatabase();
    const alice = await teamService(await workspace(), url);
    const bob = await teamService(await workspace(), url);
    try {
      const { memory } = await alice.add({ content: 'Use exponential backoff for the rate limiter', category: 'pattern', tags: ['http', 'retry'], metadata: { technology: 'TypeScript', links: [1, 2] }, projectId: 'api' });
      await bob.storeSessionContext('session-7', { currentTask: 'rate limits', nextSteps: ['tests'] });
      const seen = await bob.get(memory.id);
      assert.deepEqual({ ...seen, createdAt: undefined, updatedAt: undefined }, { ...memory, createdAt: undefined, updatedAt: undefined });
      const hits = await bob.search('rate limiter backoff', { tags: ['retry'], technology: 'typescript', projectId: 'api' });
      assert.equal(hits[0]?.memory.id, memory.id);
      assert.deepEqual(await alice.getSessionContext('session-7'), { currentTask: 'rate limits', nextSteps: ['tests'] });
      const again = await bob.add({ content: 'use exponential  backoff for the RATE limiter', category: 'pattern' });
      assert.equal(again.duplicate, true);
      assert.equal(again.memory.id, memory.id);
      assert.deepEqual((await alice.list({ category: 'pattern' })).map((m) => m.id), [memory.id]);
    } finally {
      await alice.dispose();
      await bob.dispose();
    }
  });

  it('ranks full-text matches, tolerates a typo and keeps history', async () => {
    const url = await freshDatabase();
    const store = new PostgresStore(url, memoryDir(await workspace()));
    try {
      const target = (await add(store, 'PostgreSQL connection pool exhausted under load: raise max and release clients', 'error')).memory;
      await add(store, 'The pool party is on Friday', 'team');
      await add(store, 'Retry the connection after a short delay', 'error');
      const ranked = await store.search('connection pool exhausted', {});
      assert.equal(ranked[0]?.memory.id, target.id);
      assert.equal(ranked[0]?.score, 1);
      assert.ok(ranked.every((h, i) => i === 0 || h.score <= ranked[i - 1]!.score));
      assert.deepEqual((await store.search('pool', { category: 'team' })).map((h) => h.memory.content), ['The pool party is on Friday']);
      const typo = await store.search('exhasted', {});
      assert.equal(typo[0]?.memory.id, target.id, 'a misspelt word still finds the memory');
      assert.deepEqual(await store.search('exhasted', { exact: true }), []);
      assert.deepEqual(await store.search('!!', {}), []);

      const updated = await store.update(target.id, { content: 'Pool exhausted: release clients in finally' }, contentHash('Pool exhausted: release clients in finally', 'error'));
      assert.equal(updated.content, 'Pool exhausted: release clients in finally');
      assert.equal(await store.delete(target.id), true);
      assert.deepEqual((await store.history(target.id)).map((h) => h.event), ['ADD', 'UPDATE', 'DELETE']);
      assert.equal(await store.delete(target.id), false);
    } finally {
      await store.dispose();
    }
  });

  it('the query builder passes only words, and quotes every lexeme it sends as a tsquery', () => {
    assert.deepEqual(queryWords("rate-limit's & (bad) | !x 42 the RateLimiter"), ['rate', 'limit', 'bad', '42', 'limiter']);
    assert.deepEqual(queryWords('  '), []);
    assert.equal(tsLexeme("it's"), "'it''s'");
    assert.equal(tsLexeme('a\\b:*'), "'a\\\\b:*'");
  });

  it('leaves out words most memories hold on a large store, and weighs the rest by rarity', () => {
    const term = (source: number, lexeme: string, df: number, weight = 1) => ({ source, lexeme, df, weight });
    const picked = (terms: ReturnType<typeof selectTerms>) => terms.map((t) => t.lexeme);
    const found = [term(1, 'deploy', 90_000), term(2, 'canari', 12), term(3, 'rollback', 800)];
    assert.deepEqual(picked(selectTerms(found, 100_000, false)), ['canari', 'rollback']);
    assert.deepEqual(picked(selectTerms(found, 1000, false)), ['deploy', 'canari', 'rollback'], 'a small store keeps every word');
    assert.deepEqual(picked(selectTerms([term(1, 'deploy', 90_000), term(2, 'build', 50_000)], 100_000, false)), ['build'], 'the rarest stays when all are common');
    assert.deepEqual(picked(selectTerms(found, 100_000, true)), ['canari'], 'exact lookups keep words under 0.5%');
    const [rare, common] = selectTerms([term(1, 'canari', 12), term(2, 'rollback', 400)], 100_000, false);
    assert.ok(rare!.weight > common!.weight);
    // "go" and "went" are one word: they share its frequency, so the rarer form is not worth more.
    const [go, went] = selectTerms([term(1, 'go', 300), term(1, 'went', 30)], 100_000, false);
    assert.equal(go!.weight, went!.weight);
    assert.deepEqual(selectTerms([term(1, 'nowher', 0)], 100_000, false), []);
  });

  it('8 concurrent writers × 5,000 adds lose nothing and duplicate nothing', async () => {
    const url = await freshDatabase();
    const dir = memoryDir(await workspace());
    const writers = Array.from({ length: 8 }, () => new PostgresStore(url, dir, { poolSize: 2 }));
    const distinct = 20_000;
    try {
      // Writer w adds contents w*2500 … w*2500+4999 (mod 20,000): every content is written by exactly two writers at once.
      const results = await Promise.all(
        writers.map(async (store, w) => {
          const out: { content: string; result: AddResult }[] = [];
          for (let j = 0; j < 5000; j++) {
            const content = `team memory ${(w * 2500 + j) % distinct}`;
            out.push({ content, result: await add(store, content) });
          }
          return out;
        }),
      );
      const all = results.flat();
      assert.equal(all.length, 40_000);
      const firstWrites = all.filter((r) => !r.result.duplicate);
      assert.equal(firstWrites.length, distinct, 'each content was stored by exactly one of its two writers');
      const idByContent = new Map(firstWrites.map((r) => [r.content, r.result.memory.id]));
      for (const { content, result } of all) assert.equal(result.memory.id, idByContent.get(content), `both writers of "${content}" got the same memory`);
      assert.equal(await count(url), distinct);
    } finally {
      await Promise.all(writers.map((w) => w.dispose()));
    }
  });

  it('loses no acknowledged write when the server crashes mid-write (pg_ctl -m immediate), after restart and replay', async () => {
    const url = await freshDatabase();
    const dir = memoryDir(await workspace());
    const store = new PostgresStore(url, dir, { replayIntervalMs: 200 });
    const acknowledged: MemoryRecord[] = [];
    let stop = false;
    const writing = (async () => {
      for (let i = 0; !stop; i++) acknowledged.push((await add(store, `written during the crash ${i}`)).memory);
    })();
    try {
      while (acknowledged.length < 200) await new Promise((resolve) => setTimeout(resolve, 10));
      await cluster.stop('immediate');
      const atCrash = acknowledged.length;
      while (acknowledged.length < atCrash + 50) await new Promise((resolve) => setTimeout(resolve, 10));
      stop = true;
      await writing;
      assert.equal(store.status().state, 'down');
      assert.ok(store.status().queuedWrites >= 50, 'writes during the outage wait in the outbox');
      await assert.rejects(store.search('crash', {}), DatabaseOfflineError);
      assert.equal((await new Outbox(join(dir, 'postgres')).pending()).length, store.status().queuedWrites);

      await cluster.startServer();
      // A second process replays the same outbox too: still exactly once.
      const other = new PostgresStore(url, dir);
      await Promise.all([store.replay(), other.replay().catch(() => undefined)]);
      await other.dispose();
      const pool = new pg.Pool({ connectionString: url, max: 1 });
      const { rows } = await pool.query<{ id: string; content: string }>('SELECT id, content FROM claude_pm_memories');
      await pool.end();
      const stored = new Map(rows.map((r) => [r.id, r.content]));
      const missing = acknowledged.filter((m) => stored.get(m.id) !== m.content);
      assert.deepEqual(missing, []);
      assert.equal(rows.length, new Set(acknowledged.map((m) => m.content)).size, 'nothing stored twice');
      assert.equal(store.status().state, 'connected');
      assert.equal(store.status().queuedWrites, 0);
    } finally {
      stop = true;
      await writing.catch(() => undefined);
      await store.dispose();
      await cluster.startServer().catch(() => undefined);
    }
  });

  it('replays queued adds, updates and deletes in order, and drops only a write the database refuses', async () => {
    const url = await freshDatabase();
    const dir = memoryDir(await workspace());
    const outbox = new Outbox(join(dir, 'postgres'));
    const at = new Date().toISOString();
    const queuedAdd = (clientId: string, text: string, category = 'project') => ({ op: 'add' as const, clientId, text, metadata: { category, tags: ['t'], metadata: { k: 1 }, hash: contentHash(text, category) }, at, attempted: false });
    await outbox.push(queuedAdd('a', 'first queued'));
    await outbox.push(queuedAdd('bad', 'refused by the schema', 'Not A Category'));
    await outbox.push(queuedAdd('b', 'second queued'));
    await outbox.push({ op: 'update', id: 'a', text: 'first queued, edited', metadata: { content: 'first queued, edited', hash: contentHash('first queued, edited', 'project') }, at });
    await outbox.push({ op: 'delete', id: 'b', at });
    const errors: string[] = [];
    const store = new PostgresStore(url, dir, { logger: { ...silentLogger, error: (message: string | Error) => errors.push(String(message)) } });
    try {
      await store.replay();
      await store.replay();
      const rows = await store.list({});
      assert.deepEqual(rows.map((m) => [m.id, m.content, m.tags, m.metadata]), [['a', 'first queued, edited', ['t'], { k: 1 }]]);
      assert.equal(errors.length, 1);
      assert.match(errors[0]!, /a queued add was refused and dropped/);
      assert.equal(store.status().queuedWrites, 0);
    } finally {
      await store.dispose();
    }
  });

  it('a teammate\'s new memory reaches an open editor\'s lookups through NOTIFY', async () => {
    const url = await freshDatabase();
    const editor = new PostgresStore(url, memoryDir(await workspace()));
    const teammate = new PostgresStore(url, memoryDir(await workspace()));
    try {
      await editor.load();
      const changed = new Promise<void>((resolve) => editor.onDidChange(resolve));
      const { memory } = await add(teammate, 'The flaky deployment test needs a fixed clock');
      await changed;
      assert.equal(editor.lookup('deployment clock', 3)[0]?.memory.id, memory.id);
      assert.ok(editor.snapshot().some((m) => m.id === memory.id));
    } finally {
      await editor.dispose();
      await teammate.dispose();
    }
  });

  it('the CLI uses the team database from CLAUDE_PM_DATABASE_URL, and says what to do without one', async () => {
    const url = await freshDatabase();
    const root = await workspace();
    await mkdir(join(root, '.claude-pm'), { recursive: true });
    await writeFile(join(root, '.claude-pm', 'config.json'), JSON.stringify({ memory_service: { backend: 'postgres' } }));
    const env = { CLAUDE_PM_DATABASE_URL: url };
    const added = await cli(['memory', 'add', 'Deploys freeze on Fridays', '--category', 'team', '--format', 'json'], { cwd: root, env });
    assert.equal(added.code, 0, added.stderr);
    const found = await cli(['memory', 'search', 'friday deploys', '--format', 'json'], { cwd: root, env });
    assert.equal(found.code, 0, found.stderr);
    assert.equal(JSON.parse(found.stdout)[0]?.id, JSON.parse(added.stdout).id);
    const missing = await cli(['memory', 'list'], { cwd: root, env: {} });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Set Database URL.*CLAUDE_PM_DATABASE_URL/);
  });
});

describe('team search ranking (a real server)', () => {
  async function storeWith(contents: [string, string][]): Promise<{ store: PostgresStore; ids: Map<string, string> }> {
    const store = new PostgresStore(await freshDatabase(), memoryDir(await workspace()));
    const ids = new Map<string, string>();
    for (const [content, category] of contents) ids.set(content, (await add(store, content, category)).memory.id);
    return { store, ids };
  }
  const first = async (store: PostgresStore, query: string, options = {}) => (await store.search(query, options))[0]?.memory.content;

  const NOTES: [string, string][] = [
    ['Decided to move the billing service from MySQL to PostgreSQL in March', 'project'],
    ['The billing dashboard shows revenue per customer', 'project'],
    ['PostgreSQL vacuum settings for the analytics service', 'pattern'],
    ['We move fast and fix what breaks', 'team'],
    ['Kubernetes rollout stalled on a failing readiness probe', 'error'],
    ['The readiness of the team for the launch is good', 'team'],
    ['Went hiking with the platform team after the offsite', 'team'],
  ];

  it('a natural question finds the memory holding most of its words, though no memory holds them all', async () => {
    const { store } = await storeWith(NOTES);
    try {
      assert.equal(await first(store, 'When did we decide to move the billing service to Postgres or PostgreSQL?'), NOTES[0]![0]);
      assert.equal(await first(store, 'which settings did we choose for vacuum?'), NOTES[2]![0]);
    } finally {
      await store.dispose();
    }
  });

  it('a misspelt word still finds its memory, also beside words that match elsewhere', async () => {
    const { store, ids } = await storeWith(NOTES);
    try {
      assert.equal(await first(store, 'kubernetis probe'), NOTES[4]![0]);
      assert.equal(await first(store, 'team readyness'), NOTES[5]![0], 'the misspelt word outweighs the common one');
      const hits = await store.search('kubernetis', {});
      assert.equal(hits[0]?.memory.id, ids.get(NOTES[4]![0]));
      assert.deepEqual(await store.search('kubernetis', { exact: true }), [], 'exact lookups take no replacements');
    } finally {
      await store.dispose();
    }
  });

  it('a word typed in part finds the words it begins, and other forms of a verb count', async () => {
    const { store } = await storeWith(NOTES);
    try {
      assert.equal(await first(store, 'kuber'), NOTES[4]![0]);
      assert.equal(await first(store, 'go hiking'), NOTES[6]![0], '"go" finds "went"');
      assert.equal(await first(store, 'billing dashbo'), NOTES[1]![0]);
    } finally {
      await store.dispose();
    }
  });

  it('filters are conditions of the search: category, project, tags', async () => {
    const { store } = await storeWith(NOTES);
    try {
      assert.deepEqual((await store.search('billing service PostgreSQL', { category: 'pattern' })).map((h) => h.memory.content), [NOTES[2]![0]]);
      assert.deepEqual(await store.search('billing', { category: 'error' }), []);
      const tagged = (await store.add({ content: 'Billing retries use backoff', category: 'pattern', tags: ['http'], projectId: 'api' }, contentHash('Billing retries use backoff', 'pattern'))).memory;
      assert.deepEqual((await store.search('billing', { tags: ['http'] })).map((h) => h.memory.id), [tagged.id]);
      assert.deepEqual((await store.search('billing', { projectId: 'api' })).map((h) => h.memory.id), [tagged.id]);
    } finally {
      await store.dispose();
    }
  });

  it('an edited memory is found by its new words, misspelt too (the word dictionary follows updates)', async () => {
    const { store, ids } = await storeWith(NOTES);
    try {
      const id = ids.get(NOTES[3]![0])!;
      const content = 'Feature flags gate every experimental rollout';
      await store.update(id, { content }, contentHash(content, 'team'));
      assert.equal(await first(store, 'experimentel'), content);
    } finally {
      await store.dispose();
    }
  });

  it('on a large store a developer gets the planner\'s word statistics, and common words do not drown a rare one', async () => {
    const url = await freshDatabase();
    const owner = new pg.Pool({ connectionString: url, max: 1 });
    const name = `searcher${databases}`;
    await admin.query(`CREATE ROLE ${name} LOGIN PASSWORD 'pw' IN ROLE claude_pm_developer`);
    // 25,000 memories (a store large enough to rank only bounded candidates): "deploy" in every one, "rollback" in
    // every tenth, "canary" in three, "bluegreen" in two others.
    await owner.query(
      `INSERT INTO claude_pm_memories (id, content, category, hash, created_by)
       SELECT 'g' || i, 'deploy step ' || i || CASE WHEN i % 10 = 0 THEN ' rollback' ELSE '' END || CASE WHEN i IN (7, 4001, 9999) THEN ' canary' ELSE '' END || CASE WHEN i IN (11, 24000) THEN ' bluegreen' ELSE '' END,
              'project', md5(i::text), '${name}'
       FROM generate_series(1, 25000) AS i`,
    );
    await owner.query('ANALYZE claude_pm_memories');
    await owner.end();
    const store = new PostgresStore(cluster.url(name, 'pw', url.split('/').pop()), memoryDir(await workspace()));
    try {
      const developerPool = new pg.Pool({ connectionString: cluster.url(name, 'pw', url.split('/').pop()), max: 1 });
      const common = await developerPool.query<{ lexeme: string; share: number }>("SELECT lexeme, share FROM claude_pm_common_lexemes() WHERE lexeme IN ('deploy', 'rollback')");
      await developerPool.end();
      assert.deepEqual(common.rows.map((r) => r.lexeme).sort(), ['deploy', 'rollback'], 'row-level security does not hide the statistics from a developer');
      const hits = await store.search('deploy rollback canary', { limit: 3 });
      assert.deepEqual(hits.map((h) => h.memory.id).sort(), ['g4001', 'g7', 'g9999'].sort());
      const typo = await store.search('canery deploy', { limit: 3 });
      assert.deepEqual(typo.map((h) => h.memory.id).sort(), ['g4001', 'g7', 'g9999'].sort());
      // No memory holds both words: the search widens to each word's memories.
      const either = await store.search('canary bluegreen', { limit: 10 });
      assert.deepEqual(either.map((h) => h.memory.id).sort(), ['g11', 'g24000', 'g4001', 'g7', 'g9999'].sort());
    } finally {
      await store.dispose();
    }
  });
});

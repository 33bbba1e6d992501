// Team backend benchmark against a real PostgreSQL server (a throwaway cluster, fsync on): search latency at
// 1,000,000 memories, insert throughput with 8 writers, NOTIFY latency, outbox replay of 10,000 queued writes, run
// records and keyed audit appends with 8 writers, and LoCoMo retrieval quality (read from ../shared/benchmarks/locomo,
// never copied; override with LOCOMO_PATH). Prints one JSON object on stdout. TEAM_BENCH_SIZE changes the corpus
// size, TEAM_BENCH_QUERIES the number of timed searches, TEAM_BENCH_PARTS which parts run, TEAM_BENCH_RUNS the run
// records, TEAM_BENCH_AUDIT_ROWS the audit rows the 8 writers write and TEAM_BENCH_EDITOR_AUDIT_EVENTS the events the
// editor's queued audit writer records.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { TeamAuditTrail } from '../src/core/database/audit';
import { queuedTeamAuditEventSchema, TEAM_AUDIT_OUTBOX, TeamAuditWriter } from '../src/core/database/teamAuditWriter';
import { ChangeFeed } from '../src/core/database/changeFeed';
import { createPool } from '../src/core/database/connection';
import { migrate } from '../src/core/database/migrations';
import { Outbox } from '../src/core/memory/outbox';
import { PostgresSearch, SEARCH_SETTINGS } from '../src/core/memory/postgresSearch';
import { PostgresStore } from '../src/core/memory/postgresStore';
import { contentHash } from '../src/core/memory/text';
import type { RunRecord } from '../src/core/orchestration/runRecord';
import { TeamRunRecorder } from '../src/core/orchestration/teamRuns';
import { userAuditTrust } from '../src/core/security/auditKeys';
import { PostgresCluster } from '../test/helpers/postgresCluster';
import { embeddedLocomo, locomoConversations, locomoRecall } from './locomo';
import { percentile } from './stats';
import { seededRandom } from '../test/helpers/seededRandom';

const CORPUS = Number(process.env.TEAM_BENCH_SIZE ?? 1_000_000);
/** Which parts run (all by default), e.g. TEAM_BENCH_PARTS=locomo,search while tuning one of them. */
const PARTS = new Set((process.env.TEAM_BENCH_PARTS ?? 'locomo,insert,notify,outbox,runs,audit,editorAudit,search').split(',').map((p) => p.trim()));
const RUN_RECORDS = Number(process.env.TEAM_BENCH_RUNS ?? 4000);
const AUDIT_ROWS = Number(process.env.TEAM_BENCH_AUDIT_ROWS ?? 4000);
const EDITOR_AUDIT_EVENTS = Number(process.env.TEAM_BENCH_EDITOR_AUDIT_EVENTS ?? 2000);
const WRITERS = 8;
const WORDS_PER_MEMORY = 20;

/** Synthetic words (as in bench:memory): distinct, pronounceable, never English stopwords. */
function vocabulary(size: number): string[] {
  const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'vo', 'zi', 'pe', 'sa', 'do', 'fu', 'gi', 'ho', 'ju', 'be'];
  return Array.from({ length: size }, (_, i) => {
    let w = '';
    for (let n = i + 7; n > 0; n = Math.floor(n / 16)) w += syllables[n % 16];
    return w;
  });
}

async function database(cluster: PostgresCluster, name: string): Promise<string> {
  const admin = new pg.Pool({ connectionString: cluster.url(), max: 1 });
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = cluster.url('postgres', undefined, name);
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  await migrate(pool);
  await pool.end();
  return url;
}

async function insertThroughput(url: string, words: string[]): Promise<Record<string, number>> {
  const random = seededRandom(7);
  const dir = await mkdtemp(join(tmpdir(), 'claude-pm-teambench-'));
  const writers = Array.from({ length: 8 }, () => new PostgresStore(url, dir, { poolSize: 1 }));
  const perWriter = 1000;
  const start = performance.now();
  await Promise.all(
    writers.map(async (store, w) => {
      for (let i = 0; i < perWriter; i++) {
        const content = `${Array.from({ length: WORDS_PER_MEMORY }, () => words[Math.floor(random() * words.length)]).join(' ')} w${w}-${i}`;
        await store.add({ content, category: 'project' }, contentHash(content, 'project'));
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  await Promise.all(writers.map((w) => w.dispose()));
  await rm(dir, { recursive: true, force: true });
  return { writers: 8, adds: 8 * perWriter, addsPerSec: Math.round((8 * perWriter) / seconds) };
}

async function notifyLatency(url: string): Promise<Record<string, number>> {
  const waiting = new Map<string, () => void>();
  const feed = new ChangeFeed(url, (change) => waiting.get(change.id)?.(), () => undefined);
  await feed.start();
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const id = `notify-${i}`;
    const arrived = new Promise<void>((resolve) => waiting.set(id, resolve));
    const start = performance.now();
    await pool.query('INSERT INTO claude_pm_memories (id, content, category, hash) VALUES ($1, $2, $3, $4)', [id, `notified ${i}`, 'team', `notify-hash-${i}`]);
    await arrived;
    times.push(performance.now() - start);
  }
  await pool.end();
  await feed.dispose();
  return { notifications: times.length, commitToNotifyP50Ms: percentile(times, 50, 2), commitToNotifyP95Ms: percentile(times, 95, 2) };
}

async function outboxReplay(url: string): Promise<Record<string, number>> {
  const dir = await mkdtemp(join(tmpdir(), 'claude-pm-teambench-'));
  const at = new Date().toISOString();
  await new Outbox(join(dir, 'postgres')).pushMany(
    Array.from({ length: 10_000 }, (_, i) => {
      const text = `queued while offline ${i}`;
      return { op: 'add' as const, clientId: `queued-${i}`, text, metadata: { category: 'project', tags: [], metadata: {}, hash: contentHash(text, 'project') }, at, attempted: false };
    }),
  );
  const store = new PostgresStore(url, dir);
  const start = performance.now();
  await store.replay();
  const replayMs = performance.now() - start;
  await store.dispose();
  await rm(dir, { recursive: true, force: true });
  return { queuedWrites: 10_000, replayMs: Math.round(replayMs), replayedPerSec: Math.round(10_000 / (replayMs / 1000)) };
}

/** CPU milliseconds this process spent in `work` (client side: sealing, JSON, the driver), and its wall time. */
async function measured<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = await work();
  const used = process.cpuUsage(cpu);
  return { result, seconds: (performance.now() - start) / 1000, cpuMs: (used.user + used.system) / 1000 };
}

/** A finished two-step workflow run with usage and cost, as the engine records it. */
function benchRun(id: string): RunRecord {
  const usage = { input_tokens: 4200, output_tokens: 900, cache_read_input_tokens: 12_000, cache_creation_input_tokens: 0 };
  const step = (name: string, agentType: string) => ({ name, agentType, task: `${name} the change`, dependsOn: [], status: 'succeeded' as const, attempts: 1, costUsd: 0.04, usage, toolCalls: 6, model: 'claude-sonnet-4-5', outputTail: 'done. '.repeat(100) });
  const at = new Date().toISOString();
  return { version: 1, id, workflow: 'review', file: 'review.yaml', status: 'succeeded', startedAt: at, endedAt: at, durationMs: 30_000, owner: { pid: 1, host: 'bench' }, context: {}, steps: [step('build', 'engineer'), step('review', 'qa')], costUsd: 0.08, usage, toolCalls: 12, alerts: [] };
}

/** Finished runs recorded by 8 writers at once, each with its own connection and outbox, one insert per run. */
async function runRecordThroughput(url: string): Promise<Record<string, number>> {
  const roots = await Promise.all(Array.from({ length: WRITERS }, () => mkdtemp(join(tmpdir(), 'claude-pm-teambench-'))));
  const recorders = roots.map((root) => new TeamRunRecorder(url, root));
  const perWriter = Math.ceil(RUN_RECORDS / WRITERS);
  const { seconds, cpuMs } = await measured(() =>
    Promise.all(recorders.map(async (recorder, w) => {
      for (let i = 0; i < perWriter; i++) if ((await recorder.record(benchRun(`bench-${w}-${i}`))) !== 'recorded') throw new Error('a run was not recorded');
    })),
  );
  await Promise.all(recorders.map((r) => r.dispose()));
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
  const runs = perWriter * WRITERS;
  return { writers: WRITERS, runs, runsPerSec: Math.round(runs / seconds), clientCpuMsPerRun: Math.round((cpuMs / runs) * 1000) / 1000 };
}

/** Audit rows appended by 8 writers at once (one transaction each, under the chain's lock), then the chain verified. */
async function auditAppendThroughput(url: string): Promise<Record<string, number | boolean>> {
  const userDir = await mkdtemp(join(tmpdir(), 'claude-pm-teambench-user-'));
  const trust = userAuditTrust({ CLAUDE_PM_CONFIG_DIR: userDir });
  const pools = Array.from({ length: WRITERS }, () => new pg.Pool({ connectionString: url, max: 1 }));
  const perWriter = Math.ceil(AUDIT_ROWS / WRITERS);
  const append = await measured(() =>
    Promise.all(pools.map(async (pool, w) => {
      const trail = new TeamAuditTrail(pool, url, { trust });
      for (let i = 0; i < perWriter; i++) await trail.append([{ event: 'memory_write', action: 'memory add', target: `writer ${w} memory ${i}`, details: { writer: w, i } }]);
    })),
  );
  const verify = await measured(() => new TeamAuditTrail(pools[0]!, url, { trust }).verify());
  await Promise.all(pools.map((p) => p.end()));
  await rm(userDir, { recursive: true, force: true });
  const rows = perWriter * WRITERS;
  return {
    writers: WRITERS,
    rows,
    appendsPerSec: Math.round(rows / append.seconds),
    clientCpuMsPerAppend: Math.round((append.cpuMs / rows) * 1000) / 1000,
    chainIntact: verify.result.ok && verify.result.rows === rows,
    verifiedRowsPerSec: Math.round(rows / verify.seconds),
  };
}

/**
 * Loads the corpus server-side (generate_series; word ranks log-uniform, i.e. Zipf-like) with triggers and the
 * full-text index off, then builds the index, fills the word dictionary the triggers would have filled, and
 * analyzes (the search reads the planner's word statistics).
 */
async function generateCorpus(url: string, words: string[]): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  const start = performance.now();
  await pool.query('ALTER TABLE claude_pm_memories DISABLE TRIGGER USER');
  await pool.query('DROP INDEX claude_pm_memories_search');
  const categories = ['project', 'pattern', 'team', 'error'];
  for (let from = 0; from < CORPUS; from += 100_000) {
    await pool.query(
      `INSERT INTO claude_pm_memories (id, content, category, hash, created_at)
       SELECT 'g' || i, c, ($3::text[])[1 + i % 4], md5(c), now() - make_interval(secs => i)
       FROM generate_series($1::int, $2::int) AS i,
            LATERAL (SELECT string_agg(($4::text[])[floor(power(array_length($4::text[], 1), random()))::int], ' ') || ' n' || i AS c
                     FROM generate_series(1, ${WORDS_PER_MEMORY} + i * 0)) AS words`,
      [from, Math.min(CORPUS, from + 100_000) - 1, categories, words],
    );
  }
  await pool.query('CREATE INDEX claude_pm_memories_search ON claude_pm_memories USING gin (search)');
  await pool.query('INSERT INTO claude_pm_memory_lexemes SELECT DISTINCT unnest(tsvector_to_array(search)) FROM claude_pm_memories ON CONFLICT DO NOTHING');
  await pool.query('ALTER TABLE claude_pm_memories ENABLE TRIGGER USER');
  await pool.query('VACUUM ANALYZE claude_pm_memories');
  await pool.query('VACUUM ANALYZE claude_pm_memory_lexemes');
  await pool.end();
  return Math.round((performance.now() - start) / 1000);
}

type QueryKind = 'words' | 'typo' | 'question';

/**
 * The query mix: mostly two or three words, some with a misspelt word (a letter doubled, so the spelling path runs),
 * some of eight words as a natural-language question has; word ranks drawn as the corpus draws them.
 */
function queryMix(words: string[], count: number): { kind: QueryKind; query: string }[] {
  const random = seededRandom(42);
  const word = () => words[Math.floor(Math.pow(words.length, random())) - 1] as string;
  return Array.from({ length: count }, (_, q) => {
    if (q % 10 === 8) {
      const [first, ...rest] = [word(), word()];
      const at = 1 + Math.floor(random() * (first.length - 1));
      return { kind: 'typo' as const, query: [first.slice(0, at) + first.slice(at - 1), ...rest].join(' ') };
    }
    if (q % 10 === 9) return { kind: 'question' as const, query: Array.from({ length: 8 }, word).join(' ') };
    return { kind: 'words' as const, query: Array.from({ length: 2 + (q % 2) }, word).join(' ') };
  });
}

/**
 * Search latency as the client sees it, and the server's own execution time of the same search's statements
 * (EXPLAIN ANALYZE, less sensitive to other load on the machine).
 */
async function searchLatency(url: string, words: string[]): Promise<Record<string, unknown>> {
  const queries = queryMix(words, Number(process.env.TEAM_BENCH_QUERIES ?? 300));
  const dir = await mkdtemp(join(tmpdir(), 'claude-pm-teambench-'));
  const store = new PostgresStore(url, dir);
  for (const { query } of queries.slice(0, 20)) await store.search(query, { limit: 10 });
  const timed: { kind: QueryKind; query: string; ms: number; hits: number }[] = [];
  for (const { kind, query } of queries) {
    const start = performance.now();
    const hits = await store.search(query, { limit: 10 });
    timed.push({ kind, query, ms: performance.now() - start, hits: hits.length });
  }
  await store.dispose();
  await rm(dir, { recursive: true, force: true });

  const pool = createPool(url, { max: 1, settings: SEARCH_SETTINGS });
  let server = 0;
  const explained = new PostgresSearch(async <R>(sql: string, params: unknown[]) => {
    const plan = await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
    server += Number(/Execution Time: ([\d.]+)/.exec(plan.rows.at(-1)?.['QUERY PLAN'] ?? '')?.[1] ?? 0);
    return (await pool.query(sql, params)).rows as R[];
  });
  const serverMs: number[] = [];
  for (const { query } of timed) {
    server = 0;
    await explained.search('m.id', query, { limit: 10 }, 10);
    serverMs.push(server);
  }
  await pool.end();

  const figures = (rows: typeof timed, server: number[]) => ({
    queries: rows.length,
    p50Ms: percentile(rows.map((r) => r.ms), 50, 2),
    p95Ms: percentile(rows.map((r) => r.ms), 95, 2),
    serverP50Ms: percentile(server, 50, 2),
    serverP95Ms: percentile(server, 95, 2),
  });
  const worst = timed.reduce((a, b) => (b.ms > a.ms ? b : a));
  const byKind = Object.fromEntries(
    (['words', 'typo', 'question'] as const).map((kind) => {
      const picked = timed.flatMap((t, i) => (t.kind === kind ? [i] : []));
      return [kind, figures(picked.map((i) => timed[i] as (typeof timed)[number]), picked.map((i) => serverMs[i] as number))];
    }),
  );
  return {
    ...figures(timed, serverMs),
    mix: '8 in 10 of two or three words, 1 in 10 with a misspelt word, 1 in 10 of eight words; Zipf-ranked words; limit 10',
    byKind,
    worst: { query: worst.query, kind: worst.kind, ms: Number(worst.ms.toFixed(2)), serverMs: Number((serverMs[timed.indexOf(worst)] ?? 0).toFixed(2)) },
    queriesWithoutHits: timed.filter((t) => t.hits === 0).length,
  };
}

/** LoCoMo recall of this store and of the embedded index on the same data, each conversation in its own database. */
async function locomo(cluster: PostgresCluster): Promise<Record<string, unknown>> {
  const conversations = locomoConversations();
  if (!Array.isArray(conversations)) return conversations;
  let databases = 0;
  const postgres = await locomoRecall(conversations, async ({ facts }) => {
    const url = await database(cluster, `locomo${databases++}`);
    const dir = await mkdtemp(join(tmpdir(), 'claude-pm-teambench-'));
    const store = new PostgresStore(url, dir);
    const turns = new Map<string, string[]>();
    for (const fact of facts) {
      const { memory } = await store.add({ content: fact.content, category: 'project', metadata: { session_id: fact.session } }, contentHash(`${fact.session} ${fact.content}`, 'project'));
      turns.set(memory.id, fact.turns);
    }
    return {
      search: async (question) => (await store.search(question, { limit: 10 })).map((h) => turns.get(h.memory.id) ?? []),
      close: async () => {
        await store.dispose();
        await rm(dir, { recursive: true, force: true });
      },
    };
  });
  return { postgres, embedded: await embeddedLocomo(conversations) };
}

/**
 * The editor's audit events through its queued writer: the CPU time a command spends handing one over (all it waits
 * for), then how fast they reach the database through the workspace outbox, and the chain verified.
 */
async function editorAuditThroughput(url: string): Promise<Record<string, number | boolean>> {
  const [userDir, root] = await Promise.all([mkdtemp(join(tmpdir(), 'claude-pm-teambench-user-')), mkdtemp(join(tmpdir(), 'claude-pm-teambench-'))]);
  const trust = userAuditTrust({ CLAUDE_PM_CONFIG_DIR: userDir });
  const writer = new TeamAuditWriter(url, new Outbox(join(root, TEAM_AUDIT_OUTBOX), queuedTeamAuditEventSchema), { trust });
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  const before = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM claude_pm_audit')).rows[0]!.n);
  let handOverCpuMicros = 0;
  const delivered = await measured(async () => {
    for (let i = 0; i < EDITOR_AUDIT_EVENTS; i++) {
      const cpu = process.cpuUsage();
      writer.record([{ event: 'config_change', action: 'set API key', target: `service ${i}`, details: { i } }]);
      const used = process.cpuUsage(cpu);
      handOverCpuMicros += used.user + used.system;
    }
    await writer.settled();
    await writer.drain();
  });
  const rows = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM claude_pm_audit')).rows[0]!.n) - before;
  const verify = await new TeamAuditTrail(pool, url, { trust }).verify();
  await writer.dispose();
  await pool.end();
  await Promise.all([userDir, root].map((dir) => rm(dir, { recursive: true, force: true })));
  return {
    events: EDITOR_AUDIT_EVENTS,
    rows,
    recordCallCpuMsPerEvent: Math.round((handOverCpuMicros / 1000 / EDITOR_AUDIT_EVENTS) * 1000) / 1000,
    deliveredPerSec: Math.round(rows / delivered.seconds),
    clientCpuMsPerEvent: Math.round((delivered.cpuMs / EDITOR_AUDIT_EVENTS) * 1000) / 1000,
    chainIntact: verify.ok,
  };
}

async function main(): Promise<void> {
  const cluster = await PostgresCluster.start({ durable: true });
  try {
    const words = vocabulary(20_000);
    const url = await database(cluster, 'teambench');
    const figures: Record<string, unknown> = { corpus: CORPUS, wordsPerMemory: WORDS_PER_MEMORY };
    if (PARTS.has('locomo')) figures.locomo = await locomo(cluster);
    if (PARTS.has('insert')) figures.insert = await insertThroughput(url, words);
    if (PARTS.has('notify')) figures.notify = await notifyLatency(url);
    if (PARTS.has('outbox')) figures.outbox = await outboxReplay(url);
    if (PARTS.has('runs')) figures.runRecords = await runRecordThroughput(url);
    if (PARTS.has('audit')) figures.audit = await auditAppendThroughput(url);
    if (PARTS.has('editorAudit')) figures.editorAudit = await editorAuditThroughput(url);
    if (PARTS.has('search')) {
      figures.generateSeconds = await generateCorpus(url, words);
      figures.search = await searchLatency(url, words);
    }
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  } finally {
    await cluster.destroy();
  }
}

void main();

// Team backend benchmark against a real PostgreSQL server (a throwaway cluster, fsync on): search latency at
// 1,000,000 memories, insert throughput with 8 writers, NOTIFY latency, outbox replay of 10,000 queued writes, and
// LoCoMo retrieval quality (read from ../shared/benchmarks/locomo, never copied; override with LOCOMO_PATH).
// Prints one JSON object on stdout. TEAM_BENCH_SIZE changes the corpus size.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { ChangeFeed } from '../src/core/database/changeFeed';
import { migrate } from '../src/core/database/migrations';
import { Outbox } from '../src/core/memory/outbox';
import { PostgresStore } from '../src/core/memory/postgresStore';
import { contentHash } from '../src/core/memory/text';
import { PostgresCluster } from '../test/helpers/postgresCluster';
import { percentile } from './stats';
import { seededRandom } from '../test/helpers/seededRandom';

const CORPUS = Number(process.env.TEAM_BENCH_SIZE ?? 1_000_000);
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

/** Loads the corpus server-side (generate_series; word ranks log-uniform, i.e. Zipf-like), then rebuilds the indexes. */
async function generateCorpus(url: string, words: string[]): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  const start = performance.now();
  await pool.query('ALTER TABLE claude_pm_memories DISABLE TRIGGER USER');
  await pool.query('DROP INDEX claude_pm_memories_search, claude_pm_memories_trgm');
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
  await pool.query('CREATE INDEX claude_pm_memories_trgm ON claude_pm_memories USING gin (content gin_trgm_ops)');
  await pool.query('ALTER TABLE claude_pm_memories ENABLE TRIGGER USER');
  await pool.query('VACUUM ANALYZE claude_pm_memories');
  await pool.end();
  return Math.round((performance.now() - start) / 1000);
}

async function searchLatency(url: string, words: string[]): Promise<Record<string, number>> {
  const random = seededRandom(42);
  const word = () => words[Math.floor(Math.pow(words.length, random())) - 1] as string;
  const store = new PostgresStore(url, await mkdtemp(join(tmpdir(), 'claude-pm-teambench-')));
  for (let i = 0; i < 20; i++) await store.search(`${word()} ${word()}`, { limit: 10 });
  const times: number[] = [];
  for (let q = 0; q < 300; q++) {
    const query = Array.from({ length: 2 + (q % 2) }, word).join(' ');
    const start = performance.now();
    await store.search(query, { limit: 10 });
    times.push(performance.now() - start);
  }
  await store.dispose();
  return { queries: times.length, searchP50Ms: percentile(times, 50, 2), searchP95Ms: percentile(times, 95, 2) };
}

interface LocomoSample {
  observation: Record<string, Record<string, [string, string | string[]][]>>;
  qa: { question: string; evidence?: string[]; category: number }[];
}

/** The same recall computation as bench:memory, with each conversation's observations in its own database. */
async function locomo(cluster: PostgresCluster): Promise<Record<string, unknown>> {
  const path = process.env.LOCOMO_PATH ?? resolve(__dirname, '../../shared/benchmarks/locomo/locomo10.json');
  if (!existsSync(path)) return { skipped: `no LoCoMo data at ${path}` };
  const samples = JSON.parse(readFileSync(path, 'utf8')) as LocomoSample[];
  let questions = 0;
  let hit5 = 0;
  let hit10 = 0;
  let reciprocal = 0;
  for (const [s, sample] of samples.entries()) {
    const url = await database(cluster, `locomo${s}`);
    const dir = await mkdtemp(join(tmpdir(), 'claude-pm-teambench-'));
    const store = new PostgresStore(url, dir);
    const dialogue = new Map<string, string[]>();
    for (const [session, bySpeaker] of Object.entries(sample.observation)) {
      for (const facts of Object.values(bySpeaker)) {
        for (const [fact, diaIds] of facts) {
          const { memory } = await store.add({ content: fact, category: 'project', metadata: { session_id: session } }, contentHash(`${session} ${fact}`, 'project'));
          dialogue.set(memory.id, [diaIds].flat().flatMap((d) => d.split(/[;,]\s*/)));
        }
      }
    }
    for (const qa of sample.qa) {
      if (qa.category === 5 || !qa.evidence?.length) continue;
      questions++;
      const evidence = new Set(qa.evidence.flatMap((e) => e.split(/[;,]\s*/)).map((e) => e.trim()));
      const ranked = (await store.search(qa.question, { limit: 10 })).map((h) => dialogue.get(h.memory.id));
      const first = ranked.findIndex((ids) => ids?.some((d) => evidence.has(d)));
      if (first >= 0 && first < 5) hit5++;
      if (first >= 0) {
        hit10++;
        reciprocal += 1 / (first + 1);
      }
    }
    await store.dispose();
    await rm(dir, { recursive: true, force: true });
  }
  const r = (x: number) => Math.round((x / questions) * 1000) / 1000;
  return { questions, recallAt5: r(hit5), recallAt10: r(hit10), mrr: r(reciprocal) };
}

async function main(): Promise<void> {
  const cluster = await PostgresCluster.start({ durable: true });
  try {
    const words = vocabulary(20_000);
    const url = await database(cluster, 'teambench');
    const quality = await locomo(cluster);
    const inserts = await insertThroughput(url, words);
    const notify = await notifyLatency(url);
    const replay = await outboxReplay(url);
    const generateSeconds = await generateCorpus(url, words);
    const search = await searchLatency(url, words);
    process.stdout.write(`${JSON.stringify({ corpus: CORPUS, wordsPerMemory: WORDS_PER_MEMORY, generateSeconds, ...search, insert: inserts, notify, outbox: replay, locomo: quality }, null, 2)}\n`);
  } finally {
    await cluster.destroy();
  }
}

void main();

// Memory benchmark: add throughput, search and hover latency at 100,000 memories, load time, and retrieval
// quality on LoCoMo (read from ../shared/benchmarks/locomo, never copied; override with LOCOMO_PATH).
// Prints one JSON object on stdout.
import { execFileSync } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CategoryRegistry } from '../src/core/memory/categoryRegistry';
import { EmbeddedStore } from '../src/core/memory/embeddedStore';
import { MemoryService } from '../src/core/memory/memoryService';
import { memoryDir } from '../src/core/memory/openMemory';
import type { NewMemory } from '../src/core/memory/types';
import { embeddedLocomo, locomoConversations } from './locomo';
import { percentile } from './stats';
import { seededRandom } from '../test/helpers/seededRandom';

const CORPUS = Number(process.env.MEMORY_BENCH_SIZE ?? 100_000);
const CATEGORIES = ['project', 'pattern', 'team', 'error'];

/** A Zipfian vocabulary sampler: word rank r is drawn with probability ∝ 1/r. */
function zipf(random: () => number, vocabulary: string[]): () => string {
  const cumulative: number[] = [];
  let total = 0;
  for (let r = 1; r <= vocabulary.length; r++) cumulative.push((total += 1 / r));
  return () => {
    const x = random() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    return vocabulary[lo] as string;
  };
}

async function scale(): Promise<Record<string, unknown>> {
  const random = seededRandom(42);
  const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'vo', 'zi', 'pe', 'sa', 'do', 'fu', 'gi', 'ho', 'ju', 'be'];
  const vocabulary = Array.from({ length: 20_000 }, (_, i) => {
    let w = '';
    for (let n = i + 7; n > 0; n = Math.floor(n / 16)) w += syllables[n % 16];
    return w;
  });
  const word = zipf(random, vocabulary);
  const workspace = await mkdtemp(join(tmpdir(), 'claude-pm-membench-'));
  const dir = memoryDir(workspace);
  try {
    const store = new EmbeddedStore(dir);
    const service = new MemoryService(store, new CategoryRegistry(dir), store);
    const make = (i: number): NewMemory => ({ content: Array.from({ length: 30 }, word).join(' ') + ` n${i}`, category: CATEGORIES[i % 4] as string });

    // Single adds, each durable (fsync) before the next: the interactive path.
    const singles = 500;
    let t = performance.now();
    for (let i = 0; i < singles; i++) await service.add(make(i));
    const singleAddsPerSec = singles / ((performance.now() - t) / 1000);

    // Concurrent adds share commits (group commit): the agent/import path.
    t = performance.now();
    let next = singles;
    const concurrentEnd = singles + 5000;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < concurrentEnd) await service.add(make(next++));
      }),
    );
    const concurrentAddsPerSec = 5000 / ((performance.now() - t) / 1000);

    t = performance.now();
    for (let i = concurrentEnd; i < CORPUS; i += 5000) await service.addBatch(Array.from({ length: Math.min(5000, CORPUS - i) }, (_, k) => make(i + k)));
    const batchAddsPerSec = (CORPUS - concurrentEnd) / ((performance.now() - t) / 1000);

    // A fresh process opening the 100k store: what the first hover or view reveal waits for (never activation).
    const reopened = new EmbeddedStore(dir);
    const reopenedService = new MemoryService(reopened, new CategoryRegistry(dir), reopened);
    t = performance.now();
    const rssBefore = process.memoryUsage().rss;
    await reopened.load();
    const loadMs = performance.now() - t;
    const rssMb = Math.round((process.memoryUsage().rss - rssBefore) / 1e6);

    const searchTimes: number[] = [];
    for (let q = 0; q < 300; q++) {
      const query = `${word()} ${word()} ${word()}`;
      const s = performance.now();
      await reopenedService.search(query, { limit: 10 });
      searchTimes.push(performance.now() - s);
    }
    const hoverTimes: number[] = [];
    for (let q = 0; q < 2000; q++) {
      // Hover text: an identifier made of one or two corpus words, e.g. `kaloMine`.
      const a = word();
      const b = word();
      const symbol = q % 2 ? `${a}${b.charAt(0).toUpperCase()}${b.slice(1)}` : a;
      const s = performance.now();
      reopenedService.lookup(symbol, 3);
      hoverTimes.push(performance.now() - s);
    }
    await reopenedService.dispose();

    // Fresh processes: a cold open (no saved index) builds and saves it, a warm open loads it and replays the tail.
    const query = `${word()} ${word()}`;
    await rm(join(dir, 'index.snapshot'), { force: true });
    const coldOpen = child(workspace, 'load', query);
    const warmOpen = child(workspace, 'load', query);
    const cliList = child(workspace, 'list');
    const cliSearch = child(workspace, 'search', query);
    const floor = plainLoopMs(join(dir, 'events.jsonl'));
    return {
      corpus: CORPUS,
      coldOpenMs: coldOpen.ms,
      warmOpenMs: warmOpen.ms,
      listMs: cliList.ms,
      searchMs: cliSearch.ms,
      plainLoopReadMs: floor,
      listToFloor: Math.round((cliList.ms / floor) * 10) / 10,
      searchToFloor: Math.round((cliSearch.ms / floor) * 10) / 10,
      wordsPerMemory: 30,
      addSinglePerSec: Math.round(singleAddsPerSec),
      addConcurrentPerSec: Math.round(concurrentAddsPerSec),
      addBatchPerSec: Math.round(batchAddsPerSec),
      loadMs: Math.round(loadMs),
      loadRssMb: rssMb,
      activationIoMs: 0,
      searchP50Ms: percentile(searchTimes, 50, 3),
      searchP95Ms: percentile(searchTimes, 95, 3),
      hoverP50Ms: percentile(hoverTimes, 50, 3),
      hoverP95Ms: percentile(hoverTimes, 95, 3),
    };
  } finally {
    await rm(workspace, { recursive: true, force: true });
  }
}

/** One operation in a fresh process (bench/memoryOpen.ts): time inside it and its peak memory. */
function child(workspace: string, operation: string, query = ''): { ms: number; maxRssMb: number; count: number } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', resolve(__dirname, 'memoryOpen.ts'), workspace, operation, query], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out) as { ms: number; maxRssMb: number; count: number };
}

/** The floor: reading the log and parsing every line in a plain loop, nothing else. */
function plainLoopMs(path: string): number {
  const started = performance.now();
  for (const line of readFileSync(path, 'utf8').split('\n')) if (line) JSON.parse(line);
  return Math.max(1, Math.round(performance.now() - started));
}

/**
 * A log of 1,000,000 lines (600,000 creates, 250,000 updates, 150,000 deletes: 450,000 live memories),
 * written directly; `list` and `search` must finish in a fresh process that stays under 1 GB.
 */
async function millionLineLog(): Promise<Record<string, unknown>> {
  const workspace = await mkdtemp(join(tmpdir(), 'claude-pm-membench-1m-'));
  const dir = memoryDir(workspace);
  try {
    await mkdir(dir, { recursive: true });
    const out = createWriteStream(join(dir, 'events.jsonl'));
    const write = async (line: string) => {
      if (!out.write(`${line}\n`)) await once(out, 'drain');
    };
    await write(JSON.stringify({ claude_pm_memory_log: 1, generation: '00000000-0000-4000-8000-000000000001' }));
    const at = new Date(0).toISOString();
    const id = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    for (let i = 0; i < 600_000; i++) {
      const content = `note ${i} about service ${i % 997} and region ${i % 31}`;
      await write(JSON.stringify({ e: 'create', at, memory: { id: id(i), content, category: 'project', tags: [], metadata: {}, hash: `h${i}`, createdAt: at, updatedAt: at } }));
    }
    for (let i = 0; i < 250_000; i++) await write(JSON.stringify({ e: 'update', at, id: id(i * 2), content: `revised note ${i} about service ${i % 997}`, hash: `r${i}` }));
    for (let i = 0; i < 150_000; i++) await write(JSON.stringify({ e: 'delete', at, id: id(i * 4 + 1) }));
    out.end();
    await once(out, 'finish');
    const list = child(workspace, 'list');
    const search = child(workspace, 'search', 'service 42 region 7');
    return { lines: 1_000_000, liveMemories: 450_000, listMs: list.ms, listMaxRssMb: list.maxRssMb, searchMs: search.ms, searchMaxRssMb: search.maxRssMb, searchHits: search.count };
  } finally {
    await rm(workspace, { recursive: true, force: true });
  }
}

async function locomo(): Promise<Record<string, unknown>> {
  const conversations = locomoConversations();
  if (!Array.isArray(conversations)) return conversations;
  return { ...(await embeddedLocomo(conversations)), baselineRecallAt5: 0.527 };
}

async function main(): Promise<void> {
  const quality = await locomo();
  const figures = process.env.MEMORY_BENCH_QUALITY_ONLY ? {} : await scale();
  const large = process.env.MEMORY_BENCH_QUALITY_ONLY ? {} : { millionLineLog: await millionLineLog() };
  process.stdout.write(`${JSON.stringify({ ...figures, ...large, locomo: quality }, null, 2)}\n`);
}

void main();

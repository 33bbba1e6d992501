// Memory benchmark: add throughput, search and hover latency at 100,000 memories (MEMORY_BENCH_SIZE), opening the
// store in a fresh process cold (no snapshot) and warm (from the snapshot), through the CLI and in-process, a log
// of 1,000,000 lines (MEMORY_BENCH_LINES) with peak memory, and retrieval quality on LoCoMo (read from
// ../shared/benchmarks/locomo, never copied; override with LOCOMO_PATH). Prints one JSON object on stdout.
// Wall times inflate on a shared machine: compare the CPU figures, and the ratios to `node -e 0` of the same run.
// Needs `npm run build` (the CLI figures run dist/cli.js).
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
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
import { medianRun, timeNode, type ProcessTime } from './processTime';
import { percentile } from './stats';
import { seededRandom } from '../test/helpers/seededRandom';

const CORPUS = Number(process.env.MEMORY_BENCH_SIZE ?? 100_000);
const MILLION = Number(process.env.MEMORY_BENCH_LINES ?? 1_000_000);
const CLI = resolve(__dirname, '../dist/cli.js');
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

    // Fresh processes. Cold: no snapshot, so the log is replayed and the index built (and saved); warm: opened
    // from the snapshot plus the log's tail.
    const query = `${word()} ${word()}`;
    await rm(join(dir, 'index.snapshot'), { force: true });
    const inProcessCold = child(workspace, 'search', query);
    const inProcessWarm = child(workspace, 'search', query);
    await rm(join(dir, 'index.snapshot'), { force: true });
    const cliCold = cli(workspace, ['memory', 'search', query]);
    const cliWarm = medianRun(3, () => cli(workspace, ['memory', 'search', query]));
    const hoverWarm = child(workspace, 'load', word());
    const cliList = cli(workspace, ['memory', 'list', '--limit', '20']);
    const floor = medianRun(3, () => timeNode(['-e', '0'], workspace));
    const plainLoop = plainLoopMs(join(dir, 'events.jsonl'));
    return {
      corpus: CORPUS,
      open: {
        // `claude-pm memory search` as a whole process, Node start included.
        cold100kMs: cliCold.wallMs,
        cold100kCpuMs: cliCold.cpuMs,
        warm100kMs: cliWarm.wallMs,
        warm100kCpuMs: cliWarm.cpuMs,
        warm100kMaxRssMb: cliWarm.maxRssMb,
        nodeFloorMs: floor.wallMs,
        nodeFloorCpuMs: floor.cpuMs,
        warmToFloor: ratio(cliWarm.wallMs, floor.wallMs),
        warmCpuToFloorCpu: ratio(cliWarm.cpuMs, floor.cpuMs),
        // The store opened in-process (module loading excluded) up to its first search's answer.
        inProcessColdMs: inProcessCold.ms,
        inProcessWarmMs: inProcessWarm.ms,
        // Open then the first hover lookup, in-process: what a hover right after start-up waits for.
        hoverAfterOpenMs: hoverWarm.ms,
      },
      search: { firstAfterOpenMs: inProcessWarm.ms, firstAfterOpenCpuMs: inProcessWarm.cpuMs },
      listMs: cliList.wallMs,
      listCpuMs: cliList.cpuMs,
      plainLoopReadMs: plainLoop,
      listToFloor: ratio(cliList.wallMs, plainLoop),
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

/** One operation in a fresh process (bench/memoryOpen.ts): time inside it, its CPU time and its peak memory. */
function child(workspace: string, operation: string, query = ''): { ms: number; cpuMs: number; maxRssMb: number; count: number } {
  const run = timeNode(['--import', 'tsx', resolve(__dirname, 'memoryOpen.ts'), workspace, operation, query], resolve(__dirname, '..'));
  return { ...(JSON.parse(run.stdout) as { ms: number; count: number }), cpuMs: run.cpuMs, maxRssMb: run.maxRssMb };
}

/** `claude-pm <args>` in the workspace, as a user runs it. */
function cli(workspace: string, args: string[]): ProcessTime {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run npm run build first');
  return timeNode([CLI, ...args, '--format', 'json'], workspace);
}

function ratio(a: number, b: number): number {
  return Math.round((a / Math.max(1, b)) * 10) / 10;
}

/** The floor: reading the log and parsing every line in a plain loop, nothing else. */
function plainLoopMs(path: string): number {
  const started = performance.now();
  for (const line of readFileSync(path, 'utf8').split('\n')) if (line) JSON.parse(line);
  return Math.max(1, Math.round(performance.now() - started));
}

/**
 * A log of 1,000,000 lines (600,000 creates, 250,000 updates, 150,000 deletes: 450,000 live memories),
 * written directly; `list` and `search` in fresh processes, with their peak memory: the first search replays the
 * log and builds the index (cold), the second opens from the snapshot the first saved (warm).
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
    const creates = Math.round(MILLION * 0.6);
    const updates = Math.round(MILLION * 0.25);
    const deletes = Math.round(MILLION * 0.15);
    for (let i = 0; i < creates; i++) {
      const content = `note ${i} about service ${i % 997} and region ${i % 31}`;
      await write(JSON.stringify({ e: 'create', at, memory: { id: id(i), content, category: 'project', tags: [], metadata: {}, hash: `h${i}`, createdAt: at, updatedAt: at } }));
    }
    for (let i = 0; i < updates; i++) await write(JSON.stringify({ e: 'update', at, id: id(i * 2), content: `revised note ${i} about service ${i % 997}`, hash: `r${i}` }));
    for (let i = 0; i < deletes; i++) await write(JSON.stringify({ e: 'delete', at, id: id(i * 4 + 1) }));
    out.end();
    await once(out, 'finish');
    const list = child(workspace, 'list');
    const cold = child(workspace, 'search', 'service 42 region 7');
    const warm = child(workspace, 'search', 'service 42 region 7');
    return {
      lines: creates + updates + deletes,
      liveMemories: creates - deletes,
      listMs: list.ms,
      listMaxRssMb: list.maxRssMb,
      searchColdMs: cold.ms,
      searchColdCpuMs: cold.cpuMs,
      searchColdMaxRssMb: cold.maxRssMb,
      searchWarmMs: warm.ms,
      searchWarmCpuMs: warm.cpuMs,
      searchWarmMaxRssMb: warm.maxRssMb,
      searchHits: warm.count,
    };
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

// Generates BENCH_TICKETS (10,000) tools-format tickets in a temp dir, a third with CRLF line ends and a third
// hand-edited (comments, escaped quotes), then measures a cold index, a one-file update, and `claude-pm tickets list`
// as a whole process: cold (empty parse cache) and warm, against `node -e 0` and a plain loop reading the same files.
// Whole-process figures are medians of BENCH_RUNS (5) after a warm-up, in wall time and in the child's CPU time
// (user + system), which a shared machine inflates far less; `list.warmVsFloorCpu` compares CPU times of one run.
// Prints JSON: {tickets, cold_index_ms, cold_index_cpu_ms, incremental_update_ms, memory_mb, list: {warm10kMs,
// warm10kCpuMs, cold10kMs, cold10kCpuMs, nodeFloorMs, nodeFloorCpuMs, plainReadMs, plainReadCpuMs, warmVsFloor,
// warmVsFloorCpu, coldVsPlainRead}}. Needs `npm run build`.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { formatId, renderNewTicket, slugify, type CreatableType } from '../src/core/tickets/newTicket';
import { TicketIndex } from '../src/core/tickets/ticketIndex';
import { editFrontmatter } from '../src/core/tickets/writer';
import { medianRun, timeNode, type ProcessTime } from './processTime';

const TICKETS = Number(process.env.BENCH_TICKETS ?? 10_000);
const UPDATE_RUNS = 50;

async function generate(root: string): Promise<string[]> {
  const folders: Record<string, string> = { epic: 'epics', issue: 'issues', task: 'tasks' };
  for (const folder of Object.values(folders)) await mkdir(join(root, folder), { recursive: true });
  const paths: string[] = [];
  const now = new Date('2026-01-01T00:00:00Z');
  for (let i = 1; i <= TICKETS; i++) {
    const type: CreatableType = i % 50 === 0 ? 'epic' : i % 3 === 0 ? 'task' : 'issue';
    const prefix = type === 'epic' ? 'EP' : type === 'task' ? 'TSK' : 'ISS';
    const id = formatId(prefix, i);
    const title = `Generated ${type} number ${i} for the index benchmark`;
    const path = join(root, folders[type], `${id}-${slugify(title)}.md`);
    const rendered = renderNewTicket('tools', {
      id,
      type,
      title,
      description: `Benchmark ${type} ${i}`,
      priority: ['low', 'medium', 'high', 'critical'][i % 4],
      assignee: `dev${i % 7}`,
      tags: ['bench', `group-${i % 10}`],
      epicId: type === 'epic' ? undefined : formatId('EP', 50 * (1 + (i % 20))),
      issueId: type === 'task' ? formatId('ISS', i - 1) : undefined,
      now,
    });
    // Real trees mix line ends and hand edits: both must stay on the fast reader.
    const text = i % 3 === 1 ? rendered.replace(/\n/g, '\r\n') : i % 3 === 2 ? rendered.replace(/^title: (.*)$/m, 'title: "$1 \\"v2\\""  # renamed') : rendered;
    await writeFile(path, text);
    paths.push(path);
  }
  return paths;
}

async function main(): Promise<void> {
  const workspace = await mkdtemp(join(tmpdir(), 'claude-pm-bench-tickets-'));
  const root = join(workspace, 'tasks');
  try {
    const paths = await generate(root);
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const index = await TicketIndex.load(root);
    const coldMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    index.counts();
    const memoryMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;

    const target = paths[Math.floor(paths.length / 2)];
    const { readFile } = await import('node:fs/promises');
    const original = await readFile(target, 'utf8');
    const samples: number[] = [];
    for (let run = 0; run < UPDATE_RUNS; run++) {
      await writeFile(target, editFrontmatter(original, { status: run % 2 ? 'active' : 'completed' }));
      const t0 = performance.now();
      index.refreshFile(target);
      index.counts();
      samples.push(performance.now() - t0);
    }
    samples.sort((a, b) => a - b);
    const cli = measureCli(root);
    const result = {
      tickets: index.counts().total,
      cold_index_ms: round(coldMs),
      // CPU time of the cold index: the figure to compare when the machine is shared and wall time inflates.
      cold_index_cpu_ms: round((cpu.user + cpu.system) / 1000),
      incremental_update_ms: round(samples[Math.floor(samples.length / 2)]),
      memory_mb: round(memoryMb),
      list: cli,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await rm(workspace, { recursive: true, force: true });
  }
}

const CLI = join(__dirname, '..', 'dist', 'cli.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

/** `claude-pm tickets list` cold (empty parse cache) and warm, and two floors: `node -e 0` and a plain read loop. */
function measureCli(ticketRoot: string): Record<string, number> {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run npm run build first');
  const workspace = dirname(ticketRoot);
  const cacheDir = mkdtempSync(join(tmpdir(), 'claude-pm-bench-cache-'));
  const env = { ...process.env, CLAUDE_PM_CACHE_DIR: cacheDir };
  const list = () => timeNode([CLI, 'tickets', 'list', '--format', 'json'], workspace, env);
  try {
    // Each cold run starts from an empty cache folder; the last one leaves the cache the warm runs read.
    const cold = medianRun(RUNS, () => {
      rmSync(cacheDir, { recursive: true, force: true });
      return list();
    });
    const warm = medianRun(RUNS, list);
    const floor = medianRun(RUNS, () => timeNode(['-e', '0'], workspace, env));
    const plainRead = medianRun(RUNS, () => timeNode(['-e', PLAIN_READ, ticketRoot], workspace, env));
    return {
      ...figures('warm10k', warm),
      ...figures('cold10k', cold),
      ...figures('nodeFloor', floor),
      ...figures('plainRead', plainRead),
      warmVsFloor: round(warm.wallMs / floor.wallMs),
      warmVsFloorCpu: round(warm.cpuMs / floor.cpuMs),
      coldVsPlainRead: round(cold.wallMs / plainRead.wallMs),
    };
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

function figures(name: string, run: ProcessTime): Record<string, number> {
  return { [`${name}Ms`]: run.wallMs, [`${name}CpuMs`]: run.cpuMs };
}

// The floor for reading a tree: walk it and read every file, nothing else.
const PLAIN_READ = `const fs=require('fs'),p=require('path');let n=0;const w=(d)=>{for(const e of fs.readdirSync(d,{withFileTypes:true})){const f=p.join(d,e.name);if(e.isDirectory())w(f);else if(e.name.endsWith('.md'))n+=fs.readFileSync(f,'utf8').length;}};w(process.argv[1]);`;

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

void main();

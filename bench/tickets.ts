// Generates 10,000 tools-format tickets in a temp dir, then measures a cold index and a one-file update.
// Prints JSON: {tickets, cold_index_ms, cold_index_cpu_ms, incremental_update_ms, memory_mb}.

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatId, renderNewTicket, slugify, type CreatableType } from '../src/core/tickets/newTicket';
import { TicketIndex } from '../src/core/tickets/ticketIndex';
import { editFrontmatter } from '../src/core/tickets/writer';

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
    const text = renderNewTicket('tools', {
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
    await writeFile(path, text);
    paths.push(path);
  }
  return paths;
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'claude-pm-bench-tickets-'));
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
    const result = {
      tickets: index.counts().total,
      cold_index_ms: round(coldMs),
      // CPU time of the cold index: the figure to compare when the machine is shared and wall time inflates.
      cold_index_cpu_ms: round((cpu.user + cpu.system) / 1000),
      incremental_update_ms: round(samples[Math.floor(samples.length / 2)]),
      memory_mb: round(memoryMb),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

void main();

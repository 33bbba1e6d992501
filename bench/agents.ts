// Agents benchmark: live activity of a run with 1,000 tool calls (stream-json lines parsed and folded into the Runs
// view's model, with a view refresh every 250 events), the claude-pm tool server's `memory_search` round-trip over
// stdio (p50/p95) at 100,000 memories, as an agent's Claude Code session sees it, the checkpoints taken before and
// after a run in a 10,000-file repository (with `git status` in the same repository as the floor they compare to),
// and worktree isolation's set-up and tear-down on a 10,000-file repository (agentsWorktree.ts).
// Prints one JSON object on stdout. Needs `npm run build` (the tool server runs dist/cli.js).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { RunActivity, subagentSummary } from '../src/core/agents/activity';
import { beginCheckpoint, finishCheckpoint } from '../src/core/agents/checkpoint';
import { revertRun } from '../src/core/agents/revertRun';
import { LineSplitter, StreamJsonState } from '../src/core/agents/streamJson';
import { CategoryRegistry } from '../src/core/memory/categoryRegistry';
import { EmbeddedStore } from '../src/core/memory/embeddedStore';
import { MemoryService } from '../src/core/memory/memoryService';
import { percentile } from './stats';
import { worktreeIsolation } from './agentsWorktree';
import { seededRandom } from '../test/helpers/seededRandom';

const MEMORIES = Number(process.env.AGENTS_BENCH_MEMORIES ?? 100_000);
const CHECKPOINT_FILES = Number(process.env.AGENTS_BENCH_CHECKPOINT_FILES ?? 10_000);
/** Files the benchmark's run modifies and creates (each). */
const RUN_EDITS = 50;
const CHECKPOINT_ROUNDS = 3;
const SEARCHES = 300;
// A 5,000-word vocabulary of made-up words: each term is in a few hundred memories, as project words are.
const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'vo', 'zi', 'pe', 'sa', 'do', 'fu', 'gi', 'ho', 'ju', 'be'];
const WORDS = Array.from({ length: 5000 }, (_, i) => {
  let w = '';
  for (let n = i + 17; n > 0; n = Math.floor(n / 16)) w += SYLLABLES[n % 16];
  return w;
});

async function mcpSearch(root: string): Promise<Record<string, unknown>> {
  const random = seededRandom(7);
  const word = () => WORDS[Math.floor(random() * WORDS.length)]!;
  const workspace = join(root, 'workspace');
  const dir = join(workspace, '.claude-pm', 'memory');
  await mkdir(dir, { recursive: true });
  const store = new EmbeddedStore(dir);
  const service = new MemoryService(store, new CategoryRegistry(dir), store);
  for (let i = 0; i < MEMORIES; i += 5000) {
    await service.addBatch(Array.from({ length: Math.min(5000, MEMORIES - i) }, (_, k) => ({ content: `${Array.from({ length: 12 }, word).join(' ')} n${i + k}`, category: ['project', 'pattern', 'team', 'error'][(i + k) % 4]! })));
  }
  await service.dispose();

  // The CLI as users run it (the minified bundle with its build-time version), so the figures include its start-up.
  const cli = resolve(__dirname, '../dist/cli.js');
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run npm run build first');
  const client = new Client({ name: 'bench', version: '0' });
  let t = performance.now();
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [cli, 'mcp', '--cwd', workspace], env: { PATH: process.env.PATH ?? '', HOME: workspace }, stderr: 'ignore' }));
  const connectMs = performance.now() - t;
  try {
    // The first search loads the store into the server; later ones are what an agent waits for.
    t = performance.now();
    await client.callTool({ name: 'memory_search', arguments: { query: `${word()} ${word()}` } }, undefined, { timeout: 900_000 });
    const firstSearchMs = performance.now() - t;
    const times: number[] = [];
    let empty = 0;
    for (let i = 0; i < SEARCHES; i++) {
      t = performance.now();
      const reply = (await client.callTool({ name: 'memory_search', arguments: { query: `${word()} ${word()}`, limit: 10 } }, undefined, { timeout: 120_000 })) as { content: { text: string }[]; isError?: boolean };
      times.push(performance.now() - t);
      if (reply.isError || (JSON.parse(reply.content[0]!.text) as unknown[]).length === 0) empty++;
    }
    return { memories: MEMORIES, searches: SEARCHES, connectMs: Math.round(connectMs), firstSearchMs: Math.round(firstSearchMs), p50Ms: percentile(times, 50, 2), p95Ms: percentile(times, 95, 2), emptyOrFailed: empty };
  } finally {
    await client.close();
  }
}

const TOOL_CALLS = 1000;
const REFRESH_EVERY = 250;
const CALLS_SHOWN = 200;

/** 1,000 tool calls, one in five inside one of ten sub-agents, as the CLI prints them (tool_use, then tool_result). */
function activityStream(): string {
  const lines: string[] = [JSON.stringify({ type: 'system', subtype: 'init', session_id: 's', model: 'claude-sonnet-4-5' })];
  for (let a = 0; a < 10; a++) lines.push(JSON.stringify({ type: 'assistant', message: { id: `m-a${a}`, usage: { input_tokens: 10, output_tokens: 5 }, content: [{ type: 'tool_use', id: `agent${a}`, name: 'Task', input: { subagent_type: 'qa', description: `check part ${a}` } }] }, parent_tool_use_id: null }));
  for (let i = 0; i < TOOL_CALLS; i++) {
    const parent = i % 5 === 0 ? `agent${i % 10}` : null;
    lines.push(JSON.stringify({ type: 'assistant', message: { id: `m${i}`, usage: { input_tokens: 100, output_tokens: 20 }, content: [{ type: 'text', text: `Step ${i}: reading the next file.` }, { type: 'tool_use', id: `t${i}`, name: i % 3 ? 'Read' : 'Bash', input: i % 3 ? { file_path: `src/module${i}.ts` } : { command: `npm test -- part${i}` } }] }, parent_tool_use_id: parent }));
    lines.push(JSON.stringify({ type: 'user', message: { content: [{ type: 'tool_result', tool_use_id: `t${i}`, content: 'x'.repeat(2000), is_error: i % 50 === 0 }] }, parent_tool_use_id: parent }));
  }
  return `${lines.join('\n')}\n`;
}

function liveActivity(): Record<string, unknown> {
  const stream = Buffer.from(activityStream());
  const rounds = 5;
  let events = 0;
  let worstEventMs = 0;
  let worstRefreshMs = 0;
  const started = performance.now();
  for (let round = 0; round < rounds; round++) {
    const activity = new RunActivity(Date.now());
    const state = new StreamJsonState((event) => {
      const t = performance.now();
      activity.accept(event, Date.now());
      if (++events % REFRESH_EVERY === 0) {
        // What one view refresh reads: the newest calls and a summary line per sub-agent.
        const r = performance.now();
        for (const call of activity.calls.slice(-CALLS_SHOWN)) if (call.subagent) subagentSummary(call, Date.now());
        worstRefreshMs = Math.max(worstRefreshMs, performance.now() - r);
      }
      worstEventMs = Math.max(worstEventMs, performance.now() - t);
    });
    const splitter = new LineSplitter((line) => state.acceptLine(line));
    // The CLI's output arrives in 64 KiB chunks.
    for (let i = 0; i < stream.length; i += 65536) splitter.push(stream.subarray(i, i + 65536));
    splitter.end();
    if (state.toolCalls !== TOOL_CALLS + 10) throw new Error(`expected ${TOOL_CALLS + 10} tool calls, parsed ${state.toolCalls}`);
  }
  const seconds = (performance.now() - started) / 1000;
  return { toolCalls: TOOL_CALLS, subagents: 10, events: events / rounds, eventsPerSec: Math.round(events / seconds), msPerRun: Math.round((seconds * 1000) / rounds), worstEventMs: Math.round(worstEventMs * 100) / 100, worstRefreshMs: Math.round(worstRefreshMs * 100) / 100 };
}

/** Checkpoint before and after a run that edits and creates files, and the revert of what it did. */
async function checkpoints(root: string): Promise<Record<string, unknown>> {
  const repo = join(root, 'repo');
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.invalid', ...args], { cwd: repo, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  for (let i = 0; i < CHECKPOINT_FILES; i++) {
    const dir = join(repo, `pkg${Math.floor(i / 500)}`, `mod${Math.floor(i / 50) % 10}`);
    if (i % 50 === 0) await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `file${i}.ts`), `export const value${i} = ${i};\n${'// filler line of a source file\n'.repeat(20)}`);
  }
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'bench');
  const timed = async <T>(work: () => Promise<T> | T): Promise<[T, number]> => {
    const t = performance.now();
    const value = await work();
    return [value, performance.now() - t];
  };
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const before: number[] = [];
  const after: number[] = [];
  const revert: number[] = [];
  const status: number[] = [];
  let changed = 0;
  for (let round = 0; round < CHECKPOINT_ROUNDS; round++) {
    status.push((await timed(() => git('status', '--porcelain')))[1]);
    const [start, beforeMs] = await timed(() => beginCheckpoint(repo, `bench-${round}`));
    for (let i = 0; i < RUN_EDITS; i++) {
      await writeFile(join(repo, 'pkg0', 'mod0', `file${i}.ts`), `export const changed${round} = ${i};\n`);
      await writeFile(join(repo, 'pkg0', `new${round}-${i}.ts`), `export const added = ${i};\n`);
    }
    const [end, afterMs] = await timed(() => finishCheckpoint(repo, `bench-${round}`, start));
    const [outcome, revertMs] = await timed(() => revertRun(repo, end));
    if (outcome.skipped.length) throw new Error(`revert skipped ${outcome.skipped.length} files`);
    changed = end.files!.length;
    before.push(beforeMs);
    after.push(afterMs);
    revert.push(revertMs);
  }
  const gitStatusMs = median(status);
  return {
    files: CHECKPOINT_FILES,
    changedFiles: changed,
    rounds: CHECKPOINT_ROUNDS,
    beforeMs: Math.round(median(before)),
    afterMs: Math.round(median(after)),
    revertMs: Math.round(median(revert)),
    gitStatusMs: Math.round(gitStatusMs),
    beforeVsGitStatus: Math.round((median(before) / gitStatusMs) * 100) / 100,
    afterVsGitStatus: Math.round((median(after) / gitStatusMs) * 100) / 100,
  };
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'claude-pm-agentsbench-'));
  try {
    const result: Record<string, unknown> = { liveActivity: liveActivity() };
    if (process.env.AGENTS_BENCH_CHECKPOINT !== '0') result.checkpoint = await checkpoints(root);
    if (process.env.AGENTS_BENCH_WORKTREE !== '0') result.worktree = await worktreeIsolation(root);
    if (process.env.AGENTS_BENCH_MCP !== '0') result.mcpMemorySearch = await mcpSearch(root);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

void main();

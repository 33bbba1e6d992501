// The claude runner's cost: wall time of a real Claude Code CLI run through ClaudeRunner against spawning
// the same CLI directly (target ≤ 1.05×), plus the agent discovery and stream-json parsing rates.
// Runs offline against the scripted Messages API. Prints JSON on stdout.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { discoverAgents } from '../src/core/agents/discoverAgents';
import { ClaudeRunner } from '../src/core/agents/claudeRunner';
import { LineSplitter, StreamJsonState } from '../src/core/agents/streamJson';
import { startScriptedModelServer } from '../test/helpers/scriptedModelServer';

const CLAUDE = process.env.CLAUDE_PM_BENCH_CLAUDE ?? resolve(__dirname, '../node_modules/.bin/claude');
const ROUNDS = Number(process.env.CLAUDE_PM_BENCH_ROUNDS ?? 5);
const ARGS = ['-p', '--output-format', 'stream-json', '--verbose'];

function direct(cwd: string, env: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  return new Promise((done, fail) => {
    const child = spawn(CLAUDE, ARGS, { cwd, env });
    child.stdout.resume();
    child.stderr.resume();
    child.stdin.end('say hi');
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? done(performance.now() - started) : fail(new Error(`claude exited with ${code}`))));
  });
}

async function viaRunner(runner: ClaudeRunner, cwd: string): Promise<number> {
  const started = performance.now();
  const result = await runner.run({ agentType: 'bench', task: 'say hi', cwd });
  if (result.status !== 'succeeded') throw new Error(`runner: ${result.status} ${result.error ?? ''}`);
  return performance.now() - started;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number) => Math.round(x * 100) / 100;

async function cliRatio(base: string): Promise<Record<string, number>> {
  const server = await startScriptedModelServer();
  try {
    server.script([{ text: 'hi' }]);
    const home = join(base, 'home');
    const cwd = join(base, 'ws');
    await mkdir(home);
    await mkdir(cwd);
    const env = { ...process.env, HOME: home, ANTHROPIC_BASE_URL: server.baseUrl, ANTHROPIC_API_KEY: 'sk-test', DISABLE_AUTOUPDATER: '1', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', FORCE_COLOR: '0', NO_COLOR: '1' };
    const runner = new ClaudeRunner({ claudePath: CLAUDE, env });
    await direct(cwd, env);
    await viaRunner(runner, cwd);
    const directMs: number[] = [];
    const runnerMs: number[] = [];
    // Interleaved so drift on a shared machine hits both sides alike.
    for (let i = 0; i < ROUNDS; i++) {
      directMs.push(await direct(cwd, env));
      runnerMs.push(await viaRunner(runner, cwd));
    }
    return { rounds: ROUNDS, direct_ms_median: round(median(directMs)), runner_ms_median: round(median(runnerMs)), ratio: round(median(runnerMs) / median(directMs)), target_ratio: 1.05 };
  } finally {
    await server.close();
  }
}

async function discoveryRate(base: string): Promise<Record<string, number>> {
  const root = join(base, 'project');
  const dir = join(root, '.claude-pm', 'agents', 'project-specific');
  await mkdir(dir, { recursive: true });
  const files = 10_000;
  for (let i = 0; i < files; i += 500) {
    await Promise.all(Array.from({ length: Math.min(500, files - i) }, (_, k) => writeFile(join(dir, `agent${i + k}-agent.md`), `# Agent ${i + k} Agent\n\n## 🎯 Primary Role\nDoes task ${i + k}.\n\n## 🔧 Core Capabilities\n- **One**: a\n- **Two**: b\n\n---\n**Model Preference**: claude-3-sonnet\n`)));
  }
  const started = performance.now();
  const catalog = await discoverAgents({ projectRoot: root, homeDir: join(base, 'home') });
  const ms = performance.now() - started;
  if (catalog.agents.length !== files) throw new Error(`discovered ${catalog.agents.length} of ${files}`);
  return { agent_files: files, discovery_ms: round(ms) };
}

function parseRate(): Record<string, number> {
  const line = `${JSON.stringify({ type: 'assistant', message: { content: [{ type: 'text', text: 'x'.repeat(2000) }] }, session_id: 's' })}\n`;
  const chunk = Buffer.from(line.repeat(500));
  const rounds = 100;
  let events = 0;
  const state = new StreamJsonState(() => events++);
  const splitter = new LineSplitter((l) => state.acceptLine(l));
  const started = performance.now();
  for (let i = 0; i < rounds; i++) splitter.push(chunk);
  splitter.end();
  const seconds = (performance.now() - started) / 1000;
  return { stream_json_mb_per_s: round((chunk.length * rounds) / 1e6 / seconds), stream_json_events: events };
}

async function main(): Promise<void> {
  const base = await mkdtemp(join(tmpdir(), 'claude-pm-bench-'));
  try {
    const figures = { ...(await cliRatio(base)), ...(await discoveryRate(base)), ...parseRate() };
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});

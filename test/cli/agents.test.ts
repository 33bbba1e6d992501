import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { agentsCommands } from '../../src/cli/commands/agents';
import { runCli } from '../../src/cli/framework';
import { cli as fullCli } from '../helpers/runCli';
import { startScriptedModelServer, type ScriptedModelServer } from '../helpers/scriptedModelServer';
import { tempDir } from '../helpers/tempDir';

const CLAUDE = resolve(__dirname, '../../node_modules/.bin/claude');

/** Runs `claude-pm …args` in-process against the agents commands. */
async function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, agentsCommands, '0.0.0-test', { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env, cwd });
  return { code, stdout, stderr };
}

async function project(config?: unknown): Promise<{ root: string; home: string }> {
  const base = await tempDir();
  const root = join(base, 'project');
  const home = join(base, 'home');
  await mkdir(join(root, '.claude-pm', 'agents', 'project-specific'), { recursive: true });
  await mkdir(home);
  if (config) await writeFile(join(root, '.claude-pm', 'config.json'), JSON.stringify(config));
  return { root, home };
}

describe('claude-pm agents list', () => {
  it('lists every tier as JSON with what a project agent overrides', async () => {
    const { root, home } = await project();
    await writeFile(join(root, '.claude-pm', 'agents', 'project-specific', 'qa-agent.md'), '# QA Agent\n\n## 🎯 Primary Role\nProject QA\n');
    const { code, stdout } = await cli(['agents', 'list', '--format', 'json'], root, { HOME: home });
    assert.equal(code, 0);
    const out = JSON.parse(stdout) as { agents: { type: string; tier: string; description: string; shadows: { tier: string }[] }[]; baseAgent: string };
    assert.equal(out.agents.length, 10);
    const qa = out.agents.find((a) => a.type === 'qa')!;
    assert.equal(qa.tier, 'project');
    assert.equal(qa.description, 'Project QA');
    assert.deepEqual(qa.shadows.map((s) => s.tier), ['system']);
    assert.match(out.baseAgent, /resources\/agents\/base_agent\.md$/);
  });

  it('prints a readable list by tier and warns about broken files on stderr', async () => {
    const { root, home } = await project();
    await writeFile(join(root, '.claude-pm', 'agents', 'project-specific', 'empty-agent.md'), '');
    const { code, stdout, stderr } = await cli(['agents', 'list'], root, { HOME: home });
    assert.equal(code, 0);
    assert.match(stdout, /^system \(10\)/m);
    assert.match(stdout, /version-control/);
    assert.match(stderr, /empty-agent\.md: the agent file is empty/);
  });
});

describe('claude-pm delegate', () => {
  let server: ScriptedModelServer;
  before(async () => {
    server = await startScriptedModelServer();
  });
  after(() => server.close());

  it('runs the command configured for the agent type and streams labelled lines', async () => {
    const { root, home } = await project({ agents: { commands: { qa: 'echo checking: {task}' } } });
    const { code, stdout, stderr } = await cli(['delegate', '--agent', 'QA', '--runner', 'command', 'run the suite'], root, { HOME: home, PATH: process.env.PATH });
    assert.equal(code, 0, stderr);
    assert.equal(stdout, 'checking: run the suite\n');
    assert.match(stderr, /\[qa\] checking: run the suite/);
    assert.match(stderr, /\[qa\] succeeded in/);
  });

  it('notes the outcome on the ticket the task was delegated for', async () => {
    const { root, home } = await project({ agents: { commands: { qa: 'echo checked; exit 2' } } });
    assert.equal((await fullCli(['tickets', 'init', '--name', 'demo'], { cwd: root, env: { HOME: home } })).code, 0);
    assert.equal((await fullCli(['tickets', 'create', 'issue', 'Checkout'], { cwd: root, env: { HOME: home } })).code, 0);
    const { code, stdout } = await cli(['delegate', '--agent', 'qa', '--runner', 'command', '--ticket', 'ISS-0001', '--format', 'json', 'check it'], root, { HOME: home, PATH: process.env.PATH });
    assert.equal(code, 1);
    const run = JSON.parse(stdout) as { id: string };
    const ticket = await readFile(join(root, 'tasks/issues/ISS-0001-checkout.md'), 'utf8');
    assert.match(ticket, new RegExp(`## Note: .*\\nRun ${run.id} by QA Agent \\(command runner\\): failed in \\d+ ms\\.\\n.*exited with code 2`));
  });

  it('exits 1 with the reason when the command fails, and JSON carries the run record', async () => {
    const { root, home } = await project({ agents: { runner: 'command', commands: { ops: 'echo nope >&2; exit 4' } } });
    const { code, stdout } = await cli(['delegate', '--agent', 'operations', '--format', 'json', 'deploy'], root, { HOME: home, PATH: process.env.PATH });
    assert.equal(code, 1);
    const run = JSON.parse(stdout) as { agentType: string; runner: string; result: { status: string; exitCode: number; error: string; stderrTail: string } };
    assert.equal(run.agentType, 'ops');
    assert.equal(run.runner, 'command');
    assert.equal(run.result.status, 'failed');
    assert.equal(run.result.exitCode, 4);
    assert.equal(run.result.stderrTail, 'nope\n');
  });

  it('runs a real Claude agent with its role prompt and the delegation block', async () => {
    const { root, home } = await project();
    server.script([{ text: 'Hello World from QA Agent!' }]);
    const start = server.requests.length;
    const env = { ...process.env, HOME: home, CLAUDE_PM_CLAUDE_PATH: CLAUDE, ANTHROPIC_BASE_URL: server.baseUrl, ANTHROPIC_API_KEY: 'sk-test', DISABLE_AUTOUPDATER: '1' };
    const { code, stdout, stderr } = await cli(['delegate', '--agent', 'qa', '--ticket', 'ISS-0007', '--format', 'json', 'hello world'], root, env);
    assert.equal(code, 0, stderr);
    const run = JSON.parse(stdout) as { id: string; status: string; usage: Record<string, number>; costUsd: number; toolCalls: number; subagents: number; result: { status: string; output: string; sessionId: string } };
    assert.equal(run.result.output, 'Hello World from QA Agent!');
    assert.ok(run.result.sessionId);
    assert.equal(run.status, 'succeeded');
    assert.deepEqual(Object.keys(run.usage).sort(), ['cache_creation_input_tokens', 'cache_read_input_tokens', 'input_tokens', 'output_tokens']);
    // The scripted model reports 12 input and 7 output tokens per reply.
    assert.ok(run.usage.input_tokens! >= 12, JSON.stringify(run.usage));
    assert.ok(run.usage.output_tokens! >= 7, JSON.stringify(run.usage));
    assert.equal(typeof run.costUsd, 'number');
    assert.equal(run.toolCalls, 0);
    assert.equal(run.subagents, 0);
    const costs = await fullCli(['workflow', 'costs', '--format', 'json'], { cwd: root, env });
    assert.equal(costs.code, 0, costs.stderr);
    const breakdown = JSON.parse(costs.stdout) as { total: { agentRuns: number; usage: Record<string, number> }; byAgentType: { agentType: string }[]; byRun: { id: string }[] };
    assert.equal(breakdown.total.agentRuns, 1);
    assert.deepEqual(breakdown.total.usage, run.usage);
    assert.deepEqual(breakdown.byAgentType.map((t) => t.agentType), ['qa']);
    assert.deepEqual(breakdown.byRun.map((r) => r.id), [run.id]);
    const main = server.requests.slice(start).find((r) => r.main)!;
    assert.match(JSON.stringify(main.body.system), /Base Agent Instructions[\s\S]*# QA Agent/);
    assert.match(JSON.stringify(main.body.messages), /\*\*QA Agent\*\*: hello world[\s\S]*Ticket Reference\*\*: ISS-0007/);
    // The role's "Model Preference: sonnet" reaches the CLI as the sonnet alias.
    assert.match(main.body.model!, /sonnet/);
  });

  it('rejects bad usage with exit 2 and names the known agents', async () => {
    const { root, home } = await project();
    const unknown = await cli(['delegate', '--agent', 'nobody', 'task'], root, { HOME: home });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no agent 'nobody'; known: .*engineer/);
    assert.equal((await cli(['delegate', '--agent', 'qa'], root, { HOME: home })).code, 2);
    assert.equal((await cli(['delegate', '--agent', 'qa', '--runner', 'magic', 'x'], root, { HOME: home })).code, 2);
    assert.equal((await cli(['delegate', '--agent', 'qa', '--timeout', '-1', 'x'], root, { HOME: home })).code, 2);
  });

  it('refuses to delegate when the policy denies task.delegate', async () => {
    const { root, home } = await project({ agents: { commands: { qa: 'echo ran > ran.txt' } } });
    await writeFile(join(root, '.claude-pm', 'policy.json'), JSON.stringify({ default_role: 'viewer' }));
    const { code, stderr } = await cli(['delegate', '--agent', 'qa', '--runner', 'command', 'x'], root, { HOME: home, PATH: process.env.PATH });
    assert.equal(code, 1);
    assert.match(stderr, /task\.delegate/);
  });
});

import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ClaudeRunner } from '../../src/core/agents/claudeRunner';
import { registerToolServer } from '../../src/core/agents/projectMcpFile';
import { TOOL_NAMES } from '../../src/core/agents/toolServer';
import { buildChild } from '../helpers/buildChild';
import { cli } from '../helpers/runCli';
import { startScriptedModelServer, type ScriptedModelServer } from '../helpers/scriptedModelServer';
import { tempDir } from '../helpers/tempDir';

const CLAUDE = resolve(__dirname, '../../node_modules/.bin/claude');

interface ToolReply {
  isError?: boolean;
  content: { type: string; text: string }[];
}

/** A workspace with a ticket tracker and one issue waiting for engineering. */
async function workspace(): Promise<string> {
  const cwd = join(await tempDir(), 'project');
  await mkdir(cwd);
  const env = { HOME: cwd };
  assert.equal((await cli(['tickets', 'init', '--name', 'demo'], { cwd, env })).code, 0);
  assert.equal((await cli(['tickets', 'create', 'issue', 'Login page'], { cwd, env })).code, 0);
  assert.equal((await cli(['tickets', 'transition', 'ISS-0001', 'ready_for_engineering'], { cwd, env })).code, 0);
  return cwd;
}

async function auditEntries(cwd: string): Promise<{ event: string; actor: string; action: string; target?: string; details?: Record<string, string> }[]> {
  const text = await readFile(join(cwd, '.claude-pm', 'logs', 'audit.log'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

// Built once for the file (a temp dir made inside a hook or test is removed when that one ends).
const bundled = buildChild('src/cli/main.ts');

describe('claude-pm mcp', () => {
  let cliBundle: string;
  before(async () => {
    cliBundle = await bundled;
  });

  async function connect(cwd: string, env: Record<string, string> = {}): Promise<Client> {
    const client = new Client({ name: 'test', version: '0.0.0' });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [cliBundle, 'mcp', '--cwd', cwd], env: { PATH: process.env.PATH ?? '', HOME: cwd, CLAUDE_PM_ACTOR: 'dev@example.com', ...env }, stderr: 'pipe' }));
    return client;
  }

  const call = async (client: Client, name: string, args: Record<string, unknown> = {}) => (await client.callTool({ name, arguments: args })) as ToolReply;

  it('serves the nine tools through the CLI services, audits changes with agent and run, and treats text as text', async () => {
    const cwd = await workspace();
    const client = await connect(cwd, { CLAUDE_PM_AGENT: 'engineer', CLAUDE_PM_RUN_ID: 'run-42' });
    try {
      const { tools } = await client.listTools();
      assert.deepEqual(tools.map((t) => t.name).sort(), [...TOOL_NAMES].sort());
      assert.deepEqual((tools.find((t) => t.name === 'ticket_transition')!.inputSchema as { required: string[] }).required.sort(), ['id', 'state']);

      const added = await call(client, 'memory_add', { content: '--retry flag fixes the flaky login test', category: 'error', tags: ['login'] });
      assert.equal(added.isError, undefined, added.content[0]?.text);
      const memory = JSON.parse(added.content[0]!.text) as { id: string; content: string; metadata: Record<string, string> };
      assert.equal(memory.content, '--retry flag fixes the flaky login test');
      assert.deepEqual(memory.metadata, { agent: 'engineer', run: 'run-42' });
      const found = JSON.parse((await call(client, 'memory_search', { query: 'flaky login' })).content[0]!.text) as { id: string }[];
      assert.equal(found[0]?.id, memory.id);

      const moved = await call(client, 'ticket_transition', { id: 'ISS-0001', state: 'ready_for_qa', reason: 'implemented' });
      assert.equal(moved.isError, undefined, moved.content[0]?.text);
      const illegal = await call(client, 'ticket_transition', { id: 'ISS-0001', state: 'planning' });
      assert.equal(illegal.isError, true);
      assert.match(illegal.content[0]!.text, /Allowed next states: ready_for_deployment, won_t_do/);
      assert.equal((await call(client, 'ticket_note', { id: 'ISS-0001', text: 'Tests pass.' })).isError, undefined);
      const created = JSON.parse((await call(client, 'ticket_create', { type: 'task', title: 'Add a logout link', issue: 'ISS-0001' })).content[0]!.text) as { id: string };
      assert.equal(created.id, 'TSK-0001');
      const shown = JSON.parse((await call(client, 'ticket_show', { id: 'ISS-0001' })).content[0]!.text) as { status: string; body: string };
      assert.equal(shown.status, 'ready_for_qa', JSON.stringify(shown));
      assert.match(shown.body, /Tests pass\./);
      const listed = JSON.parse((await call(client, 'ticket_list', { type: 'task' })).content[0]!.text) as { id: string }[];
      assert.deepEqual(listed.map((t) => t.id), ['TSK-0001']);
      const health = await call(client, 'health_report');
      assert.equal(health.isError, undefined, health.content[0]?.text);
      assert.equal(typeof (JSON.parse(health.content[0]!.text) as { summary: { overall_health_percentage: number } }).summary.overall_health_percentage, 'number');

      const audited = (await auditEntries(cwd)).filter((e) => e.event === 'agent_action');
      assert.deepEqual(audited.map((e) => [e.action, e.target]), [['memory_add', undefined], ['ticket_transition', 'ISS-0001'], ['ticket_note', 'ISS-0001'], ['ticket_create', 'Add a logout link']]);
      assert.ok(audited.every((e) => e.actor === 'dev@example.com' && e.details?.agent === 'engineer' && e.details?.run === 'run-42'));
    } finally {
      await client.close();
    }
  });

  it('checks the permissions of the user who started the run', async () => {
    const cwd = await workspace();
    await mkdir(join(cwd, '.claude-pm'), { recursive: true });
    await writeFile(join(cwd, '.claude-pm', 'policy.json'), JSON.stringify({ default_role: 'viewer' }));
    const before = await readFile(join(cwd, 'tasks/issues/ISS-0001-login-page.md'), 'utf8');
    const client = await connect(cwd);
    try {
      const denied = await call(client, 'ticket_transition', { id: 'ISS-0001', state: 'ready_for_qa' });
      assert.equal(denied.isError, true);
      assert.match(denied.content[0]!.text, /dev@example\.com \(role viewer\) may not tickets transition: the permission 'ticket\.write' is missing/);
      assert.equal(await readFile(join(cwd, 'tasks/issues/ISS-0001-login-page.md'), 'utf8'), before);
      assert.equal((await call(client, 'ticket_list')).isError, undefined, 'reading needs no permission');
    } finally {
      await client.close();
    }
    assert.deepEqual((await auditEntries(cwd)).map((e) => e.event), ['permission_denied']);
  });

  it("writes the project's .mcp.json entry and keeps the other servers and keys", async () => {
    const cwd = await tempDir();
    await writeFile(join(cwd, '.mcp.json'), JSON.stringify({ mcpServers: { other: { command: 'other-server' } }, note: 'kept' }, null, 2));
    const first = await registerToolServer(cwd, { command: '/usr/bin/node', args: ['/opt/claude-pm/cli.js'] });
    assert.deepEqual([first.created, first.replaced], [false, false]);
    // Through the CLI: it names itself as this Node and its own script.
    const missing = await cli(['mcp', 'register'], { cwd, env: { HOME: cwd, CLAUDE_PM_CLI: join(cwd, 'cli.js') } });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /set CLAUDE_PM_CLI to the path of its cli\.js/);
    await writeFile(join(cwd, 'cli.js'), '');
    const registered = await cli(['mcp', 'register', '--format', 'json'], { cwd, env: { HOME: cwd, CLAUDE_PM_CLI: join(cwd, 'cli.js') } });
    assert.equal(registered.code, 0, registered.stderr);
    assert.equal((JSON.parse(registered.stdout) as { replaced: boolean }).replaced, true);
    const file = JSON.parse(await readFile(join(cwd, '.mcp.json'), 'utf8'));
    assert.deepEqual(file, { mcpServers: { other: { command: 'other-server' }, 'claude-pm': { command: process.execPath, args: [join(cwd, 'cli.js'), 'mcp'] } }, note: 'kept' });
    await writeFile(join(cwd, '.mcp.json'), '{\n  "mcpServers": {,\n}');
    await assert.rejects(registerToolServer(cwd, { command: 'node', args: [] }), /\.mcp\.json:2:\d+: .*fix or remove the file/);
    assert.equal(await readFile(join(cwd, '.mcp.json'), 'utf8'), '{\n  "mcpServers": {,\n}');
  });

  describe('with the real Claude Code CLI', () => {
    let server: ScriptedModelServer;
    before(async () => {
      server = await startScriptedModelServer();
    });
    after(() => server.close());

    it('lets the agent record a memory and move its ticket through the tool server', async () => {
      const cwd = await workspace();
      const home = await tempDir('claude-home-');
      server.script([
        { text: 'Recording what I learned.', toolUse: { name: 'mcp__claude-pm__memory_add', input: { content: 'Login needs the CSRF token from /session', category: 'pattern' } } },
        { toolUse: { name: 'mcp__claude-pm__ticket_transition', input: { id: 'ISS-0001', state: 'ready_for_qa', reason: 'login page done' } } },
        { text: 'Done: the ticket is ready for QA.' },
      ]);
      const start = server.requests.length;
      const runner = new ClaudeRunner({
        claudePath: CLAUDE,
        env: { ...process.env, HOME: home, ANTHROPIC_BASE_URL: server.baseUrl, ANTHROPIC_API_KEY: 'sk-test', DISABLE_AUTOUPDATER: '1', CLAUDE_PM_ACTOR: 'dev@example.com' },
        toolServer: { command: process.execPath, args: [cliBundle] },
      });
      const result = await runner.run({ agentType: 'engineer', task: 'Build the login page', cwd, env: { CLAUDE_PM_RUN_ID: 'run-7' } });
      assert.equal(result.status, 'succeeded', `${result.error}\n${result.stderrTail ?? ''}`);
      assert.equal(result.output, 'Done: the ticket is ready for QA.');
      assert.equal(result.toolCalls, 2);

      // The model saw our tools, and each tool_result came back without an error.
      const requests = server.requests.slice(start).filter((r) => r.main);
      assert.ok(JSON.stringify(requests[0]!.body.tools).includes('mcp__claude-pm__ticket_transition'));
      const results = requests.flatMap((r) => r.body.messages ?? []).flatMap((m) => (Array.isArray(m.content) ? m.content : [])).filter((b) => b.type === 'tool_result');
      assert.equal(results.length >= 2, true);
      assert.ok(results.every((b) => b.is_error !== true), JSON.stringify(results));

      const search = await cli(['memory', 'search', 'CSRF token', '--format', 'json'], { cwd, env: { HOME: cwd } });
      const hits = JSON.parse(search.stdout) as { content: string; metadata: Record<string, string> }[];
      assert.equal(hits[0]?.content, 'Login needs the CSRF token from /session');
      assert.deepEqual(hits[0]?.metadata, { agent: 'engineer', run: 'run-7' });
      const ticket = await readFile(join(cwd, 'tasks/issues/ISS-0001-login-page.md'), 'utf8');
      assert.match(ticket, /^state: ready_for_qa$/m);
      assert.match(ticket, /\*\*Reason\*\*: login page done/);
      const audited = (await auditEntries(cwd)).filter((e) => e.event === 'agent_action');
      assert.deepEqual(audited.map((e) => [e.action, e.details?.agent, e.details?.run]), [['memory_add', 'engineer', 'run-7'], ['ticket_transition', 'engineer', 'run-7']]);
    });

    it('runs without the tool server when the request turns it off', async () => {
      const cwd = await workspace();
      server.script([{ text: 'No tools needed.' }]);
      const start = server.requests.length;
      const runner = new ClaudeRunner({ claudePath: CLAUDE, env: { ...process.env, HOME: await tempDir('claude-home-'), ANTHROPIC_BASE_URL: server.baseUrl, ANTHROPIC_API_KEY: 'sk-test', DISABLE_AUTOUPDATER: '1' }, toolServer: { command: process.execPath, args: [cliBundle] } });
      const result = await runner.run({ agentType: 'qa', task: 'hi', cwd, toolServer: false });
      assert.equal(result.status, 'succeeded', result.error);
      assert.ok(!JSON.stringify(server.requests.slice(start).find((r) => r.main)!.body.tools).includes('mcp__claude-pm'));
    });
  });
});

import assert from 'node:assert/strict';
import { readdirSync, readlinkSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ClaudeRunner, type ClaudePermissionMode } from '../../../src/core/agents/claudeRunner';
import { probeClaudeCli } from '../../../src/core/agents/claudeRunnerLocate';
import type { RunEvent } from '../../../src/core/agents/runner';
import { startScriptedModelServer, type ScriptedModelServer } from '../../helpers/scriptedModelServer';
import { tempDir } from '../../helpers/tempDir';
import { isProcessAlive } from '../../helpers/processProbe';

// The real Claude Code CLI from npm, against a local scripted Messages API: only the model is scripted.
const CLAUDE = resolve(__dirname, '../../../node_modules/.bin/claude');

/** Processes whose working directory is `dir`: the CLI and anything it started there. */
function processesIn(dir: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/cwd`) === dir;
      } catch {
        return false;
      }
    })
    .map(Number)
    .filter(isProcessAlive);
}

describe('claude runner (real CLI)', () => {
  let server: ScriptedModelServer;
  let home: string;
  const env = () => ({ ...process.env, HOME: home, ANTHROPIC_BASE_URL: server.baseUrl, ANTHROPIC_API_KEY: 'sk-test', DISABLE_AUTOUPDATER: '1' });
  const workspace = async () => {
    const dir = join(await tempDir(), 'ws');
    await mkdir(dir);
    return dir;
  };

  before(async () => {
    server = await startScriptedModelServer();
    home = await tempDir('claude-home-');
  });
  after(() => server.close());

  it('finds the CLI and its version', async () => {
    const info = await probeClaudeCli(CLAUDE, env());
    assert.equal(info.found, true);
    assert.match(info.version!, /^\d+\.\d+\.\d+/);
    const missing = await probeClaudeCli('claude-does-not-exist', { PATH: '/nonexistent', HOME: home });
    assert.equal(missing.found, false);
    assert.match(missing.error!, /npm install -g @anthropic-ai\/claude-code/);
  });

  it('runs a text reply and records session, turns, cost and usage, passing prompt, task and model', async () => {
    const cwd = await workspace();
    server.script([{ text: 'Hello World from QA Agent!' }]);
    const events: RunEvent[] = [];
    const start = server.requests.length;
    const result = await new ClaudeRunner({ claudePath: CLAUDE, env: env() }).run({ agentType: 'qa', task: 'hello world', cwd, systemPrompt: 'You are the QA Agent of PROJECT-X.', model: 'sonnet', maxTurns: 3, onEvent: (e) => events.push(e) });
    assert.equal(result.status, 'succeeded', result.error);
    assert.equal(result.output, 'Hello World from QA Agent!');
    assert.equal(result.exitCode, 0);
    assert.match(result.sessionId!, /^[0-9a-f-]{36}$/);
    assert.equal(result.turns, 1);
    assert.equal(typeof result.costUsd, 'number');
    assert.ok(result.usage && typeof result.usage.input_tokens === 'number');
    assert.deepEqual(events.find((e) => e.kind === 'text'), { kind: 'text', text: 'Hello World from QA Agent!' });
    const main = server.requests.slice(start).find((r) => r.main)!;
    assert.match(JSON.stringify(main.body.system), /QA Agent of PROJECT-X/);
    assert.match(JSON.stringify(main.body.messages), /hello world/);
    assert.match(main.body.model!, /sonnet/);
  });

  it('lets a tool_use turn write a real file, streams the tool events and passes a very long prompt through a file', async () => {
    const cwd = await workspace();
    const target = join(cwd, 'report.md');
    server.script([{ text: 'Writing the report.', toolUse: { name: 'Write', input: { file_path: target, content: '# Report\nall good\n' } } }, { text: 'Report written.' }]);
    const events: RunEvent[] = [];
    const start = server.requests.length;
    const longPrompt = `ROLE-START ${'detail '.repeat(20_000)} ROLE-END`;
    const result = await new ClaudeRunner({ claudePath: CLAUDE, env: env(), permissionMode: 'acceptEdits' }).run({ agentType: 'documentation', task: 'write report.md', cwd, systemPrompt: longPrompt, onEvent: (e) => events.push(e) });
    assert.equal(result.status, 'succeeded', result.error);
    assert.equal(await readFile(target, 'utf8'), '# Report\nall good\n');
    assert.equal(result.turns, 2);
    assert.equal(result.output, 'Report written.');
    assert.deepEqual(events.filter((e) => e.kind !== 'status' && e.kind !== 'stderr').map((e) => e.kind), ['text', 'tool_use', 'tool_result', 'text']);
    const toolUse = events.find((e) => e.kind === 'tool_use') as Extract<RunEvent, { kind: 'tool_use' }>;
    assert.equal(toolUse.name, 'Write');
    const requests = server.requests.slice(start).filter((r) => r.main);
    assert.match(JSON.stringify(requests[0]!.body.system), /ROLE-END/);
    assert.match(JSON.stringify(requests[1]!.body.messages), /tool_result/);
  });

  it('surfaces permission denials when a tool is not allowed', async () => {
    const cwd = await workspace();
    server.script([{ toolUse: { name: 'Bash', input: { command: 'touch pwned', description: 'touch' } } }, { text: 'I could not run it.' }]);
    const result = await new ClaudeRunner({ claudePath: CLAUDE, env: env() }).run({ agentType: 'ops', task: 'run it', cwd });
    assert.equal(result.status, 'succeeded', result.error);
    assert.deepEqual(result.permissionDenials?.map((d) => d.toolName), ['Bash']);
    await assert.rejects(readFile(join(cwd, 'pwned')));
  });

  it('reports an API error as a failure with its message', async () => {
    const cwd = await workspace();
    server.script([{ error: { status: 400, type: 'invalid_request_error', message: 'Scripted rejection: the request was refused' } }]);
    const result = await new ClaudeRunner({ claudePath: CLAUDE, env: env() }).run({ agentType: 'qa', task: 'anything', cwd });
    assert.equal(result.status, 'failed');
    assert.match(result.error!, /Scripted rejection: the request was refused/);
  });

  it('stops a run that hangs past its timeout and leaves no process behind', async () => {
    const cwd = await workspace();
    server.script([{ hang: true }]);
    const result = await new ClaudeRunner({ claudePath: CLAUDE, env: env(), graceMs: 1000 }).run({ agentType: 'qa', task: 'hang', cwd, timeoutMs: 5000 });
    assert.equal(result.status, 'timed_out');
    assert.match(result.error!, /5000 ms/);
    assert.deepEqual(processesIn(cwd), []);
  });

  it('cancels a running agent: the process tree is gone when the run ends', async () => {
    const cwd = await workspace();
    server.script([{ hang: true }]);
    const controller = new AbortController();
    const start = server.requests.length;
    const run = new ClaudeRunner({ claudePath: CLAUDE, env: env(), graceMs: 1000 }).run({ agentType: 'qa', task: 'hang', cwd, signal: controller.signal });
    for (let i = 0; i < 600 && !server.requests.slice(start).some((r) => r.main); i++) await new Promise((r) => setTimeout(r, 25));
    const running = processesIn(cwd);
    assert.ok(running.length >= 1);
    controller.abort();
    const result = await run;
    assert.equal(result.status, 'cancelled');
    assert.deepEqual(running.filter(isProcessAlive), []);
    assert.deepEqual(processesIn(cwd), []);
  });

  it('reports a CLI that exits without a result with its exit code and stderr tail', async () => {
    const cwd = await workspace();
    const runner = new ClaudeRunner({ claudePath: CLAUDE, env: env(), permissionMode: 'no-such-mode' as ClaudePermissionMode });
    const result = await runner.run({ agentType: 'qa', task: 'x', cwd });
    assert.equal(result.status, 'failed');
    assert.equal(result.exitCode, 1);
    assert.match(result.error!, /exited with code 1 without a result/);
    assert.match(result.stderrTail!, /no-such-mode/);
  });

  it('explains how to install the CLI when it is missing', async () => {
    const result = await new ClaudeRunner({ claudePath: '/nonexistent/claude' }).run({ agentType: 'qa', task: 'x', cwd: process.cwd() });
    assert.equal(result.status, 'failed');
    assert.equal(result.exitCode, null);
    assert.match(result.error!, /not found.*npm install -g @anthropic-ai\/claude-code/);
  });
});

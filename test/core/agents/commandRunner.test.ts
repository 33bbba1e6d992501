import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CommandRunner, renderCommandTemplate, runShellCommand, shellQuote } from '../../../src/core/agents/commandRunner';
import type { RunEvent } from '../../../src/core/agents/runner';
import { tempDir } from '../../helpers/tempDir';
import { isProcessAlive as alive } from '../../helpers/processProbe';

async function waitForFile(path: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    try {
      const text = (await readFile(path, 'utf8')).trim();
      if (text) return text;
    } catch {
      // not yet written
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${path} never appeared`);
}

describe('command runner', () => {
  it('runs the template for the agent type with the task shell-quoted and streams its lines', async () => {
    const cwd = await tempDir();
    const events: RunEvent[] = [];
    const runner = new CommandRunner({ templates: { qa: 'printf "%s\\n" {task} && echo "in $(pwd)"' } });
    const result = await runner.run({ agentType: 'qa', task: `it's "quoted"; $(rm -rf /) done`, cwd, onEvent: (e) => events.push(e) });
    assert.equal(result.status, 'succeeded');
    assert.equal(result.exitCode, 0);
    const lines = events.filter((e) => e.kind === 'stdout').map((e) => (e as { text: string }).text);
    assert.deepEqual(lines, [`it's "quoted"; $(rm -rf /) done`, `in ${cwd}`]);
    assert.match(result.output, /in \//);
  });

  it('reports a non-zero exit code as a failure with the stderr tail', async () => {
    const cwd = await tempDir();
    const result = await runShellCommand({ command: 'echo boom >&2; exit 3', cwd });
    assert.equal(result.status, 'failed');
    assert.equal(result.exitCode, 3);
    assert.equal(result.stderrTail, 'boom\n');
    assert.match(result.error!, /code 3/);
  });

  it('fails clearly when no template exists for the agent type', async () => {
    const result = await new CommandRunner({ templates: { qa: 'true' } }).run({ agentType: 'ops', task: 'deploy', cwd: process.cwd() });
    assert.equal(result.status, 'failed');
    assert.match(result.error!, /'ops'.*configured: qa/);
  });

  it('keeps only the tail of a huge output', async () => {
    const cwd = await tempDir();
    let lines = 0;
    const result = await runShellCommand({ command: 'i=0; while [ $i -lt 200000 ]; do echo "line $i"; i=$((i+1)); done', cwd, onEvent: (e) => e.kind === 'stdout' && lines++ });
    assert.equal(result.status, 'succeeded');
    assert.equal(lines, 200000);
    assert.ok(result.output.length <= 16 * 1024);
    assert.ok(result.output.endsWith('line 199999\n'));
  });

  it('times out and stops a process that ignores SIGTERM, leaving no process behind', async () => {
    const cwd = await tempDir();
    const pidFile = join(cwd, 'pid');
    const started = runShellCommand({ command: `sh -c 'trap "" TERM; echo $$ > ${pidFile}; while true; do sleep 0.05; done'`, cwd, timeoutMs: 300, graceMs: 200 });
    const pid = Number(await waitForFile(pidFile));
    assert.ok(alive(pid));
    const result = await started;
    assert.equal(result.status, 'timed_out');
    assert.match(result.error!, /300 ms/);
    assert.equal(alive(pid), false);
  });

  it('cancels a whole process tree (shell, its children and background jobs)', async () => {
    const cwd = await tempDir();
    const controller = new AbortController();
    const pids = join(cwd, 'pids');
    const run = runShellCommand({ command: `sleep 30 & echo $! >> ${pids}; sh -c 'echo $$ >> ${pids}; sleep 30'`, cwd, signal: controller.signal, graceMs: 500 });
    await waitForFile(pids);
    await new Promise((r) => setTimeout(r, 100));
    const recorded = (await readFile(pids, 'utf8')).trim().split('\n').map(Number);
    assert.equal(recorded.length, 2);
    assert.ok(recorded.every(alive));
    controller.abort();
    const result = await run;
    assert.equal(result.status, 'cancelled');
    assert.deepEqual(recorded.filter(alive), []);
  });

  it('does not start when already cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await runShellCommand({ command: 'echo never', cwd: process.cwd(), signal: controller.signal });
    assert.equal(result.status, 'cancelled');
    assert.equal(result.output, '');
  });

  it('quotes for sh and cmd, and leaves unknown placeholders alone', () => {
    assert.equal(shellQuote(`a'b`, 'linux'), `'a'\\''b'`);
    assert.equal(shellQuote('say "hi" 100%', 'win32'), '"say \\"hi\\" 100"%""');
    assert.equal(renderCommandTemplate('run {agent} {task} {other}', { agent: 'qa', task: 'x y' }), `run 'qa' 'x y' {other}`);
  });
});

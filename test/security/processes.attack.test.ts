import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MAX_TIMER_SECONDS } from '../../src/core/common/timerLimits';
import { buildChild } from '../helpers/buildChild';
import { isProcessAlive } from '../helpers/processProbe';
import { cli } from '../helpers/runCli';
import { tempDir } from '../helpers/tempDir';

// Class 9: a CLI stopped by SIGTERM (a CI runner, `kill`) or SIGHUP (a closed terminal) leaves none of the
// process groups it started behind; durations no timer can wait are refused instead of firing at once.

// The CLI as the build makes it (one bundle, its version written in), built once for the file.
const CLI = buildChild('src/cli/main.ts');

async function waitFor(check: () => boolean | Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const giveUp = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > giveUp) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stoppedBy(signal: 'SIGTERM' | 'SIGHUP') {
  const root = await tempDir('claude-pm-signal-');
  const pidFile = join(root, 'step.pid');
  await mkdir(join(root, '.claude-pm', 'workflows'), { recursive: true });
  // The step's shell starts a grandchild in the same group and records its pid.
  await writeFile(join(root, '.claude-pm', 'workflows', 'long.yaml'), `name: long\nsteps:\n  - { name: wait, command: "sleep 300 & echo $! > ${pidFile}; wait" }\n`);
  const child = spawn(process.execPath, [await CLI, 'workflow', 'run', '.claude-pm/workflows/long.yaml', '--skip-memory', '--cwd', root], {
    env: { ...process.env, CLAUDE_PM_CONFIG_DIR: await tempDir('claude-pm-user-') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  await waitFor(async () => existsSync(pidFile) && (await readFile(pidFile, 'utf8')).trim() !== '', 'the step to start');
  const grandchild = Number((await readFile(pidFile, 'utf8')).trim());
  assert.ok(isProcessAlive(grandchild));
  child.kill(signal);
  const code = await exited;
  await waitFor(() => !isProcessAlive(grandchild), `the step's process ${grandchild} to end`, 10_000);
  return { code, stderr, root };
}

describe('attack: processes and timers', () => {
  it('SIGTERM to `workflow run` stops the steps\' process groups and records the run as cancelled', async () => {
    const { code, stderr } = await stoppedBy('SIGTERM');
    assert.equal(code, 1);
    assert.match(stderr, /SIGTERM: cancelling the run/);
  });

  it('SIGHUP to `workflow run` does the same', async () => {
    const { code, stderr } = await stoppedBy('SIGHUP');
    assert.equal(code, 1);
    assert.match(stderr, /SIGHUP: cancelling the run/);
  });

  it('a workflow timeout above 2^31 ms is refused with its line, not fired at once', async () => {
    const root = await tempDir('claude-pm-timer-');
    await writeFile(join(root, 'huge.yaml'), `name: huge\ntimeout: ${MAX_TIMER_SECONDS + 1}\nsteps:\n  - { name: a, command: "echo hi", timeout: 1e12 }\n`);
    const result = await cli(['workflow', 'validate', 'huge.yaml', '--format', 'json'], { cwd: root });
    assert.equal(result.code, 1);
    const messages = (JSON.parse(result.stdout) as { diagnostics: { message: string; line?: number }[] }).diagnostics;
    assert.equal(messages.filter((d) => /at most 2147483 seconds/.test(d.message)).length, 2, JSON.stringify(messages));
  });

  it('monitor --interval and delegate --timeout beyond a timer\'s reach are usage errors', async () => {
    const root = await tempDir('claude-pm-timer-');
    const monitor = await cli(['monitor', '--duration', '10', '--interval', '3000000'], { cwd: root });
    assert.equal(monitor.code, 2);
    assert.match(monitor.stderr, /--interval must be at most 2147483 seconds/);
    const delegate = await cli(['delegate', '--agent', 'qa', '--timeout', '1e10', 'run the tests'], { cwd: root });
    assert.equal(delegate.code, 2);
    assert.match(delegate.stderr, /--timeout must be at most/);
  });

  it('a config timeout beyond a timer\'s reach fails closed, naming the file and line', async () => {
    const root = await tempDir('claude-pm-timer-');
    await mkdir(join(root, '.claude-pm'));
    await writeFile(join(root, '.claude-pm', 'config.json'), '{\n  "orchestrator": {\n    "agent_timeout": 99999999999\n  }\n}\n');
    const result = await cli(['delegate', '--agent', 'qa', 'run the tests'], { cwd: root });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /config\.json:3:\d+: orchestrator\.agent_timeout: .*at most 2147483 seconds/);
  });
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { probeClaudeCli } from '../../src/core/agents/claudeRunnerLocate';
import { runManagedProcess } from '../../src/core/agents/processTree';
import { closeProcessGate, openProcessGate, ProcessesBlockedError } from '../../src/core/common/processGate';
import { loadConfig } from '../../src/core/config/loadConfig';
import { inspectGit } from '../../src/core/health/gitHealth';
import { defaultWorkflowContext } from '../../src/core/orchestration/workflowSetup';
import { securityCompliance } from '../../src/core/security/compliance';
import { resolveActor } from '../../src/core/security/policy';

// A cloned repository that runs code as soon as anything calls git in it: `core.fsmonitor` names a script of the
// repository itself, which git executes on `git status`. Its `claude` stand-in does the same when probed.
async function plantedRepository(): Promise<{ root: string; marker: string }> {
  const root = await mkdtemp(join(tmpdir(), 'claude-pm-restricted-'));
  const marker = join(root, 'PWNED');
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: root });
  const hook = join(root, 'fsmonitor.sh');
  await writeFile(hook, `#!/bin/sh\necho git >> '${marker}'\n`);
  await chmod(hook, 0o755);
  const claude = join(root, 'claude');
  await writeFile(claude, `#!/bin/sh\necho claude >> '${marker}'\necho 9.9.9\n`);
  await chmod(claude, 0o755);
  execFileSync('git', ['config', 'core.fsmonitor', hook], { cwd: root });
  execFileSync('git', ['config', 'user.email', 'attacker@example.com'], { cwd: root });
  return { root, marker };
}

const markerLines = async (marker: string) => (await readFile(marker, 'utf8').catch(() => '')).split('\n').filter(Boolean);

describe('Restricted Mode: the process gate', () => {
  let repo: { root: string; marker: string };
  before(async () => {
    repo = await plantedRepository();
  });
  after(async () => {
    openProcessGate();
    await rm(repo.root, { recursive: true, force: true });
  });

  it('while closed, no git call, agent, workflow command or CLI probe starts a process', async () => {
    closeProcessGate('the workspace is in Restricted Mode');
    const config = (await loadConfig(repo.root, {}, {})).config;

    await assert.rejects(inspectGit(repo.root), /git was not started: the workspace is in Restricted Mode/);
    assert.notEqual(await resolveActor(repo.root, {}), 'attacker@example.com');
    const context = await defaultWorkflowContext(repo.root, config, {});
    assert.equal(context.branch, undefined);
    const compliance = await securityCompliance(repo.root);
    assert.ok(compliance.length > 0);
    const shell = await runManagedProcess('/bin/sh', ['-c', `echo shell >> '${repo.marker}'`], { cwd: repo.root, env: {} });
    assert.equal(shell.outcome, 'spawn_failed');
    assert.ok(shell.spawnError instanceof ProcessesBlockedError);
    const probe = await probeClaudeCli(join(repo.root, 'claude'), {}, repo.root);
    assert.match(probe.error ?? '', /not run: processes are blocked/);

    assert.deepEqual(await markerLines(repo.marker), []);
    assert.ok(!(await readdir(repo.root)).includes('PWNED'));
  });

  it('once open again (the user trusted the folder), the same calls run: the planted hook is live', async () => {
    openProcessGate();
    const git = await inspectGit(repo.root);
    assert.equal(git?.branch, 'main');
    assert.equal(await resolveActor(repo.root, {}), 'attacker@example.com');
    const shell = await runManagedProcess('/bin/sh', ['-c', `echo shell >> '${repo.marker}'`], { cwd: repo.root, env: {} });
    assert.equal(shell.exitCode, 0);
    const probe = await probeClaudeCli(join(repo.root, 'claude'), {}, repo.root);
    assert.equal(probe.version, '9.9.9');
    const lines = await markerLines(repo.marker);
    for (const what of ['git', 'shell', 'claude']) assert.ok(lines.includes(what), `${what} ran: ${lines.join(', ')}`);
  });

  it('closing the gate stops git tasks of clients made while it was open', async () => {
    openProcessGate();
    const before = (await markerLines(repo.marker)).length;
    const { gitClient } = await import('../../src/core/common/processGate');
    const client = gitClient({ baseDir: repo.root });
    closeProcessGate('closed mid-way');
    await assert.rejects(client.status(), /abort/i);
    assert.equal((await markerLines(repo.marker)).length, before);
  });

  it('only the gate imports simple-git, and only gated modules import child_process', async () => {
    const files = async (dir: string): Promise<string[]> =>
      (await readdir(dir, { withFileTypes: true, recursive: true })).filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name));
    const sources = await Promise.all((await files('src')).map(async (file) => ({ file, text: await readFile(file, 'utf8') })));
    const valueImport = (text: string, module: RegExp) => new RegExp(`^import (?!type )[^;]*from '${module.source}'`, 'm').test(text);
    assert.deepEqual(sources.filter((s) => valueImport(s.text, /simple-git/)).map((s) => s.file), [join('src', 'core', 'common', 'processGate.ts')]);
    const spawners = sources.filter((s) => valueImport(s.text, /(?:node:)?child_process/));
    assert.ok(spawners.length > 0);
    for (const s of spawners) assert.match(s.text, /assertMayStartProcess|processesAllowed/, `${s.file} starts processes without consulting the gate`);
  });
});

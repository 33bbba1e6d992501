import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { signBody } from '../../src/core/events/signature';
import { buildChild } from '../helpers/buildChild';
import { cli } from '../helpers/runCli';
import { tempDir } from '../helpers/tempDir';

const env = { HOME: '/nonexistent-home', PATH: process.env.PATH };

async function workspace(): Promise<string> {
  const root = await tempDir();
  await mkdir(join(root, '.claude-pm', 'workflows'), { recursive: true });
  await writeFile(join(root, '.claude-pm', 'workflows', 'qa.yaml'), 'name: qa-on-push\ntriggers:\n  - { event: push, branches: [main] }\nsteps:\n  - { name: test, command: "sleep 0.2; echo tested $CLAUDE_PM_EVENT_NAME" }\n');
  return root;
}

describe('claude-pm serve', () => {
  it('refuses to start without a webhook secret', async () => {
    const root = await workspace();
    const { code, stderr } = await cli(['serve', '--port', '0'], { cwd: root, env });
    assert.equal(code, 2);
    assert.match(stderr, /no webhook secret: set CLAUDE_PM_WEBHOOK_SECRET/);
    assert.equal((await cli(['serve', '--port', 'eighty'], { cwd: root, env: { ...env, CLAUDE_PM_WEBHOOK_SECRET: 's' } })).code, 2);
  });

  it('serves deliveries until SIGTERM, then lets the running run finish and exits 0', async () => {
    const root = await workspace();
    const main = await buildChild('src/cli/main.ts');
    const child = spawn(process.execPath, [main, 'serve', '--port', '0', '--grace', '20', '--format', 'json'], { cwd: root, env: { ...env, CLAUDE_PM_WEBHOOK_SECRET: 'cli-secret' } });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (c: Buffer) => {
        stderr += c;
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
        if (m) resolve(m[1]!);
      });
      child.on('exit', () => reject(new Error(`serve exited early: ${stderr}`)));
    });
    const body = JSON.stringify({ ref: 'refs/heads/main', commits: [] });
    const res = await fetch(`${url}/webhooks/github`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'cli-1', 'x-hub-signature-256': signBody('cli-secret', body) }, body });
    assert.equal(res.status, 202);
    while (!/started qa-on-push/.test(stderr)) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
    const summary = JSON.parse(stdout);
    assert.deepEqual([summary.accepted, summary.finished, summary.cancelled], [1, 1, 0]);
    assert.match(stderr, /tested push/);

    const listed = await cli(['events', 'list', '--format', 'json'], { cwd: root, env });
    const [delivery] = JSON.parse(listed.stdout).deliveries;
    assert.equal(delivery.deliveryId, 'cli-1');
    assert.equal(delivery.runs[0].status, 'succeeded');
    assert.equal(delivery.payloadKept, false);
    const redelivered = await cli(['events', 'redeliver', 'cli-1'], { cwd: root, env });
    assert.equal(redelivered.code, 1);
    assert.match(redelivered.stderr, /was not kept/);
  });
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildChild } from '../helpers/buildChild';
import { demoWorkspace } from '../helpers/demoWorkspace';
import { tempDir } from '../helpers/tempDir';

describe('claude-pm monitor --duration 0', () => {
  it('samples until SIGTERM, rewriting its report after every sample, then exits with the verdict', async () => {
    const root = await demoWorkspace();
    const main = await buildChild('src/cli/main.ts');
    const child = spawn(process.execPath, [main, 'monitor', '--duration', '0', '--interval', '1', '--output', 'monitor.json'], { cwd: root, env: { HOME: await tempDir(), PATH: process.env.PATH } });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const samplesOnDisk = async () => JSON.parse(await readFile(join(root, 'monitor.json'), 'utf8').catch(() => '{"samples":[]}')).samples.length as number;
    for (let i = 0; i < 3000 && (await samplesOnDisk()) < 2; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok((await samplesOnDisk()) >= 2, `the report was not rewritten while running:\n${stderr}`);
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
    const report = JSON.parse(await readFile(join(root, 'monitor.json'), 'utf8'));
    assert.ok(report.summary.samples >= 2);
    assert.equal(report.summary.worst_status, 'healthy');
    assert.equal(report.interval_seconds, 1);
  });
});

// Kills `claude-pm deploy` at random points, over and over: the target must always be the old content or a
// complete new one, a backup of the old content must exist whenever it changed, and the state files must parse.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import * as esbuild from 'esbuild';
import { deployClaudeMd } from '../../../src/core/templates/deploy';
import { renderTemplate } from '../../../src/core/templates/render';
import { parentBackupDir } from '../../../src/core/templates/backups';
import { DeploymentState } from '../../../src/core/templates/state';
import { tempDir } from '../../helpers/tempDir';
import { masterOfVersion, ownedText } from './fixtures';
import { runtimeVariables } from '../../../src/core/templates/runtimeVariables';

const KILLS = 100;

// The deploy dates differ on every run; everything else must match a complete rendering byte for byte.
const normalise = (text: string): string => text.replace(/^(DEPLOYMENT_DATE|LAST_UPDATED): .*$/gm, '$1: *');

function runAndKill(bundle: string, args: string[], delayMs: number): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [bundle, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', () => setTimeout(() => child.kill('SIGKILL'), delayMs));
    child.on('error', reject);
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolvePromise() : reject(new Error(`child exited ${code}: ${stderr}`))));
  });
}

interface Lane {
  project: string;
  targetDir: string;
  previous: string;
  changes: number;
  seenBackups: Set<string>;
}

async function lane(work: string, name: string): Promise<Lane> {
  const project = join(work, name, 'project');
  const targetDir = join(work, name, 'target');
  await mkdir(project, { recursive: true });
  await mkdir(targetDir, { recursive: true });
  const previous = ownedText('015', `the original of ${name}`);
  await writeFile(join(targetDir, 'CLAUDE.md'), previous);
  return { project, targetDir, previous, changes: 0, seenBackups: new Set() };
}

describe('deploy crash safety', () => {
  it(`leaves the old or the new file and a backup of the old, across ${KILLS} kills`, async () => {
    const work = await tempDir('claude-pm-crash-');
    const bundle = join(work, 'deployChild.cjs');
    // A bundled child starts far faster than one compiled on the fly, so 100 kills fit in seconds.
    await esbuild.build({ entryPoints: [resolve(__dirname, '../../helpers/deployChild.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', minify: true, outfile: bundle, logLevel: 'error' });
    const masters = [await masterOfVersion('016', 'A '.repeat(3_000)), await masterOfVersion('017', 'B '.repeat(5_000))];
    const render = async (targetDir: string) => {
      const runtime = await runtimeVariables(targetDir, new Date());
      return new Set(masters.map((m) => normalise(renderTemplate({ file: m.path, text: m.text, configured: {}, claudeMdVersion: m.claudeMdVersion, frameworkVersion: m.frameworkVersion, deploymentDir: targetDir, now: new Date(), runtime }))));
    };

    // Two lanes run side by side (one child each) to use both cores.
    const lanes = await Promise.all([lane(work, 'a'), lane(work, 'b')]);
    await Promise.all(
      lanes.map(async (l) => {
        const complete = await render(l.targetDir);
        const target = join(l.targetDir, 'CLAUDE.md');
        for (let i = 0; i < KILLS / lanes.length; i++) {
          await runAndKill(bundle, [l.project, l.targetDir, ...masters.map((m) => m.path)], Math.floor(Math.random() * 40));
          const now = await readFile(target, 'utf8');
          assert.ok(now === l.previous || complete.has(normalise(now)), `kill ${i}: torn or unexpected CLAUDE.md (${now.length} bytes)`);
          if (now !== l.previous) {
            l.changes++;
            // The backup of the replaced content was made during this run: only new backups need reading.
            const dir = parentBackupDir(l.project);
            const fresh = (await readdir(dir)).filter((b) => b.endsWith('.backup') && !l.seenBackups.has(b));
            const contents = await Promise.all(fresh.map((b) => readFile(join(dir, b), 'utf8')));
            for (const b of fresh) l.seenBackups.add(b);
            assert.ok(contents.includes(l.previous), `kill ${i}: the replaced content has no backup`);
            l.previous = now;
          }
          await DeploymentState.load(l.project); // throws if a state file was torn
        }
      }),
    );
    for (const l of lanes) assert.ok(l.changes > 1, `only ${l.changes} kills landed after a write`);

    // One clean deploy afterwards sweeps the temp files the killed runs left behind.
    const [first] = lanes;
    await deployClaudeMd({ projectRoot: first!.project, master: masters[0]!, targetDir: first!.targetDir, force: true });
    assert.deepEqual((await readdir(first!.targetDir)).filter((n) => n !== 'CLAUDE.md'), []);
    assert.deepEqual((await readdir(parentBackupDir(first!.project))).filter((n) => !n.endsWith('.backup')), []);
  });
});

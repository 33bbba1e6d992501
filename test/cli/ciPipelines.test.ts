import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildChild } from '../helpers/buildChild';
import { demoWorkspace } from '../helpers/demoWorkspace';
import { tempDir } from '../helpers/tempDir';

// Every shell line of docs/ci that calls claude-pm runs as written, in a copy of the demo workspace, with the CLI
// installed by docs/ci/install-claude-pm.sh from a .vsix of this checkout. The only change: monitors watch for 1 s.

const FILES = ['docs/ci/github-actions.yml', 'docs/ci/.gitlab-ci.yml', 'docs/ci/Jenkinsfile'];

/** The shell lines of a pipeline file that call claude-pm (YAML `run:`/list items, Jenkins `sh '…'`). */
function claudePmLines(text: string): string[] {
  const lines: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || line.startsWith('//') || !/(^|[\s;"'(])claude-pm\s/.test(line)) continue;
    // A YAML key other than `run:` (a step's `name:`) and a Jenkins `stage('…') {` are labels, not commands.
    if (line.endsWith('{')) continue;
    if (/^(?:-\s+)?[\w-]+:\s/.test(line) && !/^(?:-\s+)?run:\s/.test(line)) continue;
    const jenkins = /^sh\s+'(.*)'$/.exec(line);
    const yaml = /^(?:-\s+)?(?:run:\s+)?(.*)$/.exec(line);
    lines.push((jenkins?.[1] ?? yaml![1]!).trim());
  }
  return lines;
}

function sh(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn('/bin/sh', ['-c', command], { cwd, env });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c));
    child.stderr.on('data', (c: Buffer) => (output += c));
    child.on('exit', (code) => done({ code, output }));
  });
}

describe('CI pipelines in docs/ci', () => {
  it('find the claude-pm lines of each file', async () => {
    for (const file of FILES) {
      const lines = claudePmLines(await readFile(file, 'utf8'));
      assert.ok(lines.some((l) => l.includes('claude-pm health --format json')), `${file} gates on claude-pm health --format json`);
    }
    assert.deepEqual(claudePmLines("  - name: Install the claude-pm CLI\n  - run: claude-pm health\n        sh 'claude-pm diagnose'\n# claude-pm not this\n"), ['claude-pm health', 'claude-pm diagnose']);
  });

  it('run every claude-pm line against the demo workspace', async () => {
    // A .vsix as `npm run package` lays it out (extension/dist/cli.js, extension/package.json), with the CLI of this checkout.
    const cli = await buildChild('src/cli/main.ts');
    const staging = await tempDir('claude-pm-vsix-');
    await mkdir(join(staging, 'extension', 'dist'), { recursive: true });
    await cp(cli, join(staging, 'extension', 'dist', 'cli.js'));
    await cp('package.json', join(staging, 'extension', 'package.json'));
    const vsix = join(staging, 'claude-pm.vsix');
    assert.equal((await sh(`zip -q -r ${vsix} extension`, staging, process.env)).code, 0);
    const home = await tempDir('claude-pm-home-');
    for (const file of FILES) {
      const workspace = await demoWorkspace();
      await mkdir(join(workspace, 'tools'));
      await cp(vsix, join(workspace, 'tools', 'claude-pm.vsix'));
      await cp('docs/ci/install-claude-pm.sh', join(workspace, 'tools', 'install-claude-pm.sh'));
      // The install step as the pipelines write it: the script prints the folder to put on PATH.
      const installed = await sh('sh tools/install-claude-pm.sh tools/claude-pm.vsix > .claude-pm-cli-path', workspace, { ...process.env, HOME: home });
      assert.equal(installed.code, 0, installed.output);
      const bin = (await readFile(join(workspace, '.claude-pm-cli-path'), 'utf8')).trim();
      const env = { HOME: home, PATH: `${bin}:${process.env.PATH}`, CI: 'true', CI_JOB_STATUS: 'failed' };
      await mkdir(join(workspace, '.claude-pm', 'logs'), { recursive: true });
      for (const line of claudePmLines(await readFile(file, 'utf8'))) {
        const command = line.replace(/--duration \d+ --interval \d+/, '--duration 1 --interval 1');
        const { code, output } = await sh(command, workspace, env);
        // diagnose reports the absent mem0 service with exit 1; everything else must pass on the healthy demo.
        const allowed = /claude-pm diagnose/.test(line) ? [0, 1] : [0];
        assert.ok(allowed.includes(code ?? -1), `${file}: \`${line}\` exited ${code}\n${output}`);
      }
      const report = JSON.parse(await readFile(join(workspace, 'health-report.json'), 'utf8'));
      assert.equal(report.summary.status, 'healthy');
    }
  });
});

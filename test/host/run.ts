// Runs the in-editor suites: each opens a real VS Code (code-server, with Chromium through playwright-core) on its
// own fixture workspace and runs a suite bundle inside the extension host via the workbench's
// extensionDevelopmentPath / extensionTestsPath payload (shared research vscode-harness.md, goal B).
// Prints each result, then `N passed, N failed` alone on the last line; exits 1 when a test failed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { waitFor, writeUserSettings } from '../e2e/vscodeHarness';
import { freePort } from '../helpers/freePort';
import { RESULT_MARKER } from './marker';
import { prepareWorkspace, SUITES, type SuiteName } from './workspaces';

const root = resolve('.');
const codeServer = resolve('test/e2e/harness/node_modules/.bin/code-server');
const SUITE_TIMEOUT_MS = 8 * 60_000;

interface Result {
  suite: string;
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}

async function bundleSuites(): Promise<void> {
  // Inside the extension's folder, so that `require('vscode')` gives the suites the extension's own API object.
  await esbuild.build({
    entryPoints: Object.fromEntries(SUITES.map((s) => [s, `test/host/suites/${s}.ts`])),
    outdir: 'dist/host',
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    logLevel: 'warning',
  });
}

interface SuiteRun {
  results: Result[];
  finished: boolean;
  /** The commands tests ran and checked: their effect in a trusted workspace, their refusal (or harmlessness) in Restricted Mode. */
  covered: string[];
  trusted: boolean;
  activationMs?: number;
}

async function runSuite(suite: SuiteName): Promise<SuiteRun> {
  const base = mkdtempSync(join(tmpdir(), `claude-pm-host-${suite}-`));
  const workspace = await prepareWorkspace(suite, join(base, 'workspace'));
  const { folder, trusted } = workspace;
  const userDataDir = join(base, 'user-data');
  writeUserSettings(userDataDir, !trusted);
  const port = await freePort();
  const config = join(base, 'config.yaml');
  writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const env = { ...process.env, ...workspace.env, XDG_CONFIG_HOME: join(base, 'xdg-config'), XDG_DATA_HOME: join(base, 'xdg-data') };
  const args = ['--config', config, '--user-data-dir', userDataDir, '--extensions-dir', join(base, 'extensions'), '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override'];
  const server: ChildProcess = spawn(codeServer, trusted ? [...args, '--disable-workspace-trust'] : args, { env, detached: true, stdio: 'ignore' });
  const results: Result[] = [];
  let finished = false;
  let covered: string[] = [];
  let activationMs: number | undefined;
  const browser = await chromium.launchPersistentContext(join(base, 'browser'), {
    executablePath: process.env.CLAUDE_PM_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const origin = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${origin}/healthz`).catch(() => undefined))?.ok === true, 30_000, 'code-server to answer /healthz');
    const page = browser.pages()[0] ?? (await browser.newPage());
    let exitCode: number | undefined;
    const onLine = (text: string) => {
      const at = text.indexOf(RESULT_MARKER);
      if (at < 0) return;
      const record = JSON.parse(text.slice(at + RESULT_MARKER.length)) as Result & { done?: boolean; covered?: string[]; activationMs?: number };
      if (record.done) {
        finished = true;
        covered = record.covered ?? [];
        activationMs = record.activationMs;
      }
      else if (!results.some((r) => r.name === record.name)) {
        results.push(record);
        console.log(`${record.ok ? '✔' : '✖'} ${suite} › ${record.name} (${record.ms} ms)${record.error ? `\n    ${record.error.split('\n').filter((l, i) => i < 6 || l.startsWith('messages shown')).join('\n    ')}` : ''}`);
      }
    };
    await page.exposeFunction('codeAutomationExit', (code: number) => (exitCode = code));
    await page.exposeFunction('codeAutomationLog', (_type: string, logArgs: unknown[]) => onLine(logArgs.map(String).join(' ')));
    page.on('console', (m) => onLine(m.text()));
    const remote = (path: string) => `vscode-remote://127.0.0.1:${port}${path}`;
    const payload = [
      ['extensionDevelopmentPath', remote(root)],
      ['extensionTestsPath', remote(join(root, 'dist', 'host', `${suite}.js`))],
      ['skipWelcome', 'true'],
    ];
    const target = folder.endsWith('.code-workspace') ? `workspace=${encodeURIComponent(folder)}` : `folder=${encodeURIComponent(folder)}`;
    await page.goto(`${origin}/?${target}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    await waitFor(() => finished || exitCode !== undefined, SUITE_TIMEOUT_MS, `the ${suite} suite to finish`).catch((error: Error) => console.log(`✖ ${suite}: ${error.message}`));
  } finally {
    await browser.close().catch(() => undefined);
    await workspace.close();
    if (server.pid) {
      try {
        process.kill(-server.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
    rmSync(base, { recursive: true, force: true, maxRetries: 3 });
  }
  return { results, finished, covered, trusted, activationMs };
}

async function main(): Promise<void> {
  const browserPath = process.env.CLAUDE_PM_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(browserPath)) {
    console.error(`The in-editor tests need Chromium at ${browserPath}: apt-get install -y chromium (or set CLAUDE_PM_CHROMIUM).`);
    process.exit(1);
  }
  const only = process.argv.slice(2).filter((a): a is SuiteName => (SUITES as readonly string[]).includes(a));
  spawnSync(process.execPath, ['scripts/install-code-server.mjs'], { stdio: 'inherit' });
  await bundleSuites();
  let passed = 0;
  let failed = 0;
  const covered = new Set<string>();
  const restricted = new Set<string>();
  for (const suite of only.length ? only : SUITES) {
    console.log(`▶ ${suite}`);
    const outcome = await runSuite(suite);
    passed += outcome.results.filter((r) => r.ok).length;
    failed += outcome.results.filter((r) => !r.ok).length + (outcome.finished ? 0 : 1);
    // A command run in Restricted Mode showed its guard, not its effect: that does not cover it.
    outcome.covered.forEach((id) => (outcome.trusted ? covered : restricted).add(id));
    if (outcome.activationMs !== undefined) console.log(`  activation ${outcome.activationMs.toFixed(1)} ms`);
  }
  const contributed = (JSON.parse(readFileSync('package.json', 'utf8')) as { contributes: { commands: { command: string }[] } }).contributes.commands.map((c) => c.command);
  const missing = contributed.filter((id) => !covered.has(id));
  console.log(`commands covered: ${contributed.length - missing.length} / ${contributed.length}${missing.length ? ` (not covered: ${missing.join(', ')})` : ''}`);
  if (restricted.size) console.log(`commands checked in Restricted Mode: ${restricted.size} (${[...restricted].sort().join(', ')})`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

void main();

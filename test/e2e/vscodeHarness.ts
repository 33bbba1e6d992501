// Starts a real VS Code (code-server) with the packaged extension installed and drives it with Chromium.
// Recipe and pitfalls: shared research vscode-harness.md (own process group, XDG dirs, palette retry).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type FrameLocator, type Page } from 'playwright-core';
import { freePort } from '../helpers/freePort';

const codeServer = resolve('test/e2e/harness/node_modules/.bin/code-server');
export const resultsDir = resolve('test-results');

export interface VsCode {
  page: Page;
  workspace: string;
  userDataDir: string;
  screenshot(name: string): Promise<void>;
  /** Runs a command from the palette (F1) by its title, retrying while contributions load. */
  runCommand(title: string): Promise<void>;
  /** Types `text` into the open quick input and accepts the first matching item. */
  pickQuickInput(text: string): Promise<void>;
  /** Waits for an input box whose prompt or title contains `prompt`, types `text` and accepts it. */
  answerInputBox(prompt: string, text: string): Promise<void>;
  /** Opens the Claude PM container and returns the sidebar. */
  openContainer(): Promise<void>;
  viewRows(viewTitle: string): ReturnType<Page['locator']>;
  /** Scrolls a view until a row containing `text` is rendered (lists render only the rows in sight). */
  scrollToRow(viewTitle: string, text: string): Promise<void>;
  dashboardFrame(): FrameLocator;
  close(): Promise<void>;
}

/** A quiet editor profile: no welcome page, tips, telemetry or updates; workspace trust on only for `untrusted`. */
export function writeUserSettings(userDataDir: string, untrusted: boolean, extra: Record<string, unknown> = {}): void {
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({
      'workbench.startupEditor': 'none',
      'security.workspace.trust.enabled': untrusted,
      'security.workspace.trust.startupPrompt': 'never',
      'telemetry.telemetryLevel': 'off',
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'update.mode': 'none',
      'workbench.tips.enabled': false,
      ...extra,
    }),
  );
}


export interface LaunchOptions {
  demoDir: string;
  vsix: string;
  settings?: Record<string, unknown>;
  /** Opens the folder in Restricted Mode (workspace trust on, the folder never trusted). */
  untrusted?: boolean;
  /** Changes the copied workspace (after `git init`) before VS Code opens it. */
  prepare?: (workspace: string) => void;
}

/** Copies `demoDir` to a temp workspace, installs the vsix and opens VS Code on it. */
export async function launchVsCode(options: LaunchOptions): Promise<VsCode> {
  const root = mkdtempSync(join(tmpdir(), 'claude-pm-e2e-'));
  const workspace = join(root, 'workspace', 'demo');
  cpSync(options.demoDir, workspace, { recursive: true });
  spawnSync('git', ['init', '-q', '-b', 'main'], { cwd: workspace });
  options.prepare?.(workspace);
  const userDataDir = join(root, 'user-data');
  const extensionsDir = join(root, 'extensions');
  writeUserSettings(userDataDir, options.untrusted === true, options.settings);
  const port = await freePort();
  const config = join(root, 'config.yaml');
  writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const env = { ...process.env, XDG_CONFIG_HOME: join(root, 'xdg-config'), XDG_DATA_HOME: join(root, 'xdg-data') };
  const common = ['--config', config, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  const install = spawnSync(codeServer, [...common, '--install-extension', resolve(options.vsix)], { env, encoding: 'utf8' });
  if (install.status !== 0) throw new Error(`installing the extension failed: ${install.stderr}${install.stdout}`);

  const server: ChildProcess = spawn(
    codeServer,
    [...common, '--disable-telemetry', '--disable-update-check', ...(options.untrusted ? [] : ['--disable-workspace-trust']), '--disable-getting-started-override', '--log', 'trace'],
    { env, detached: true, stdio: 'ignore' },
  );
  const base = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${base}/healthz`).catch(() => undefined))?.ok === true, 30_000, 'code-server to answer /healthz');

  const context: BrowserContext = await chromium.launchPersistentContext(join(root, 'browser'), {
    executablePath: process.env.CLAUDE_PM_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleLines: string[] = [];
  page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
  await page.goto(`${base}/?folder=${encodeURIComponent(workspace)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator('.part.statusbar').waitFor({ timeout: 60_000 });
  mkdirSync(resultsDir, { recursive: true });

  const vscode: VsCode = {
    page,
    workspace,
    userDataDir,
    screenshot: async (name) => {
      await page.screenshot({ path: join(resultsDir, `${name}.png`) });
    },
    runCommand: async (title) => {
      for (let attempt = 1; ; attempt++) {
        await page.keyboard.press('F1');
        const input = page.locator('.quick-input-widget .quick-input-box input');
        await input.waitFor({ timeout: 10_000 });
        await input.fill(`>${title}`);
        // Click the row whose label is exactly the title: Enter would run whichever row ranks first.
        const row = page.locator('.quick-input-widget .monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) }).first();
        try {
          await row.waitFor({ timeout: 3_000 });
          await row.click();
          await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
          return;
        } catch (error) {
          await page.keyboard.press('Escape');
          if (attempt >= 6) throw new Error(`command "${title}" not found in the palette: ${(error as Error).message}`);
        }
      }
    },
    pickQuickInput: async (text) => {
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ timeout: 10_000 });
      // The widget is reused by the next picker: wait until the previous one has handed over (empty input).
      await waitFor(async () => (await input.inputValue().catch(() => 'x')) === '', 10_000, 'the next quick input');
      await input.fill(text);
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: text }).first().waitFor({ timeout: 10_000 });
      await page.keyboard.press('Enter');
    },
    answerInputBox: async (prompt, text) => {
      await page.locator('.quick-input-widget', { hasText: prompt }).waitFor({ timeout: 10_000 });
      await page.locator('.quick-input-widget .quick-input-box input').fill(text);
      await page.keyboard.press('Enter');
    },
    openContainer: async () => {
      const entry = page.locator('.part.activitybar .action-item a[aria-label^="Claude PM"]');
      await entry.waitFor({ timeout: 30_000 });
      const sidebarTitle = page.locator('.part.sidebar .composite.title', { hasText: 'Claude PM' });
      if (!(await sidebarTitle.isVisible().catch(() => false))) await entry.click();
      await sidebarTitle.waitFor({ timeout: 10_000 });
    },
    viewRows: (viewTitle) =>
      page.locator('.part.sidebar .pane', { has: page.locator('.pane-header', { hasText: viewTitle }) }).locator('.monaco-list-row[role="treeitem"]'),
    scrollToRow: async (viewTitle, text) => {
      const row = vscode.viewRows(viewTitle).filter({ hasText: text }).first();
      const list = page.locator('.part.sidebar .pane', { has: page.locator('.pane-header', { hasText: viewTitle }) }).locator('.monaco-list').first();
      for (let i = 0; i < 40 && !(await row.isVisible().catch(() => false)); i++) {
        await list.hover();
        await page.mouse.wheel(0, 120);
        await page.waitForTimeout(100);
      }
      await row.waitFor({ timeout: 5_000 });
    },
    dashboardFrame: () => page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame'),
    close: async () => {
      writeFileSync(join(resultsDir, 'browser-console.log'), consoleLines.join('\n'));
      await context.close().catch(() => undefined);
      if (server.pid) {
        try {
          process.kill(-server.pid, 'SIGTERM');
        } catch {
          // Already gone.
        }
      }
      rmSync(root, { recursive: true, force: true, maxRetries: 3 });
    },
  };
  return vscode;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Polls `check` until it is true or the time is up. */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { launchVsCode, waitFor, type VsCode } from './vscodeHarness';

let vscode: VsCode;

/** Runs a step and saves a screenshot named after it when it fails. */
async function step(name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    await vscode?.screenshot(`failure-${name}`).catch(() => undefined);
    throw error;
  }
}

function findFiles(dir: string, name: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? findFiles(path, name) : entry === name ? [path] : [];
  });
}

describe('Claude PM in a real VS Code', () => {
  before(async () => {
    vscode = await launchVsCode({ demoDir: 'demo', vsix: 'dist/claude-pm.vsix' });
  });
  after(async () => {
    await vscode?.close();
  });

  it('shows the Claude PM container with its five views', () =>
    step('container', async () => {
      await vscode.openContainer();
      for (const title of ['Agents', 'Runs', 'Tickets', 'Memory', 'Health']) {
        await vscode.page.locator('.part.sidebar .pane-header', { hasText: title }).first().waitFor({ timeout: 15_000 });
      }
      await vscode.screenshot('container');
    }));

  it('runs a command from the palette with a visible effect: Show Log opens the Claude PM output', () =>
    step('show-log', async () => {
      await vscode.runCommand('Claude PM: Show Log');
      await vscode.page.locator('.part.panel').waitFor({ timeout: 15_000 });
      await vscode.page.locator('.part.panel .monaco-select-box[title="Claude PM"], .part.panel select option:checked', { hasText: 'Claude PM' }).first().waitFor({ state: 'attached', timeout: 15_000 }).catch(async () => {
        // Newer layouts show the channel name in the view's title instead of a select box.
        await vscode.page.locator('.part.panel', { hasText: 'Claude PM' }).waitFor({ timeout: 5_000 });
      });
      await vscode.screenshot('show-log');
    }));

  it('shows the health score and the down critical service in the Health view', () =>
    step('health-view', async () => {
      await vscode.openContainer();
      const rows = vscode.viewRows('Health');
      await rows.filter({ hasText: /Health \d+%/ }).first().waitFor({ timeout: 60_000 });
      const service = rows.filter({ hasText: 'mem0ai_mcp' }).first();
      await service.waitFor({ timeout: 10_000 });
      assert.match((await service.textContent()) ?? '', /down/);
      await vscode.scrollToRow('Health', 'CLAUDE.md Templates');
      await vscode.screenshot('health-view');
    }));

  it('opens the dashboard webview with its cards and the health chart', () =>
    step('dashboard', async () => {
      await vscode.runCommand('Claude PM: Open Dashboard');
      const frame = vscode.dashboardFrame();
      await frame.locator('#health-score').waitFor({ timeout: 30_000 });
      assert.match((await frame.locator('#health-score').textContent()) ?? '', /\d+%/);
      for (const id of ['#services', '#runs-card', '#tickets-card', '#memory-card', '#score-chart canvas', '#refresh']) {
        await frame.locator(id).first().waitFor({ timeout: 15_000 });
      }
      assert.match((await frame.locator('#services').textContent()) ?? '', /mem0ai_mcp/);
      await vscode.screenshot('dashboard');
    }));

  it('shows the demo tickets in the Tickets tree', () =>
    step('tickets-tree', async () => {
      await vscode.openContainer();
      const rows = vscode.viewRows('Tickets');
      await rows.filter({ hasText: 'User authentication' }).first().waitFor({ timeout: 30_000 });
      await rows.filter({ hasText: 'Reporting dashboard' }).first().waitFor({ timeout: 10_000 });
      await vscode.screenshot('tickets-tree');
    }));

  it('transitions a ticket from the command palette and the file changes', () =>
    step('tickets-transition', async () => {
      const file = join(vscode.workspace, 'tasks', 'issues', 'ISS-0003-session-expiry-handling.md');
      assert.match(readFileSync(file, 'utf8'), /^status: planning$/m);
      await vscode.runCommand('Claude PM: Transition Ticket…');
      await vscode.pickQuickInput('ISS-0003');
      await vscode.pickQuickInput('active');
      await vscode.answerInputBox('Reason', '');
      await waitFor(() => /^status: active$/m.test(readFileSync(file, 'utf8')), 15_000, 'ISS-0003 to become active on disk');
      await vscode.screenshot('tickets-transition');
    }));

  it('activates with under 20 ms of work (read from the extension log)', () =>
    step('activation-time', async () => {
      let match: RegExpMatchArray | null = null;
      await waitFor(
        () => {
          const logs = findFiles(join(vscode.userDataDir, 'logs'), 'Claude PM.log');
          match = logs.map((f) => readFileSync(f, 'utf8')).join('\n').match(/activated in ([\d.]+) ms, cpu ([\d.]+) ms \((.*)\)/);
          return match !== null;
        },
        15_000,
        'the activation line in the Claude PM log',
      );
      const [, wall, cpu, shares] = match!;
      console.log(`activation: ${wall} ms wall, ${cpu} ms cpu (${shares})`);
      // Wall time grows when the browser and the server take the cores; process CPU time grows with other
      // extensions' threads. Each bounds the work `activate` itself did, so the smaller one is the measure.
      const work = Math.min(Number(wall), Number(cpu));
      assert.ok(work < 20, `activation took ${wall} ms wall and ${cpu} ms cpu`);
    }));
});

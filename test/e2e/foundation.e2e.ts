import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { launchVsCode, resultsDir, waitFor, type VsCode } from './vscodeHarness';

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

/** Clicks the headers of these sidebar views (folding an open one, opening a folded one). */
async function togglePanes(titles: readonly string[]): Promise<void> {
  // The title itself: a click elsewhere on the header may land on one of its action buttons.
  for (const title of titles) await vscode.page.locator('.part.sidebar .pane-header h3.title', { hasText: title }).first().click();
}

function findFiles(dir: string, name: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? findFiles(path, name) : entry === name ? [path] : [];
  });
}

/** Names from workspace files reach the dashboard as text: this one would run script if parsed as HTML. */
const HOSTILE = '<img src=x onerror=alert(1)>';

/** A workflow run of yesterday in the run history, as an agent run leaves it: steps with cost, one named hostilely. */
function seedRunHistory(workspace: string): void {
  const dir = join(workspace, '.claude-pm', 'runs');
  mkdirSync(dir, { recursive: true });
  const started = new Date(Date.now() - 86_400_000);
  const at = (minutes: number) => new Date(started.getTime() + minutes * 60_000).toISOString();
  const step = (name: string, agentType: string, costUsd: number, dependsOn: string[], minutes: number) => ({ name, agentType, task: 'review', dependsOn, status: 'succeeded', attempts: 1, startedAt: at(minutes - 1), endedAt: at(minutes), costUsd });
  const steps = [step('research', 'research', 0.42, [], 1), step(HOSTILE, 'engineer', 1.1, ['research'], 3), step('review', 'qa', 0.25, [HOSTILE], 4)];
  const record = { version: 1, id: '20260101-000000-earlier-run', workflow: 'nightly-review', file: join(workspace, '.claude-pm', 'workflows', 'nightly-review.yaml'), status: 'succeeded', startedAt: at(0), endedAt: at(4), durationMs: 240_000, owner: { pid: 1, host: 'another-machine' }, context: {}, steps, costUsd: 1.77, alerts: [] };
  writeFileSync(join(dir, `${record.id}.json`), JSON.stringify(record, null, 2));
}

describe('Claude PM in a real VS Code', () => {
  before(async () => {
    vscode = await launchVsCode({ demoDir: 'demo', vsix: 'dist/claude-pm.vsix', prepare: seedRunHistory });
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

  it('opens the demo healthy: no framework service is expected of a project on the embedded store', () =>
    step('health-view', async () => {
      await vscode.openContainer();
      const rows = vscode.viewRows('Health');
      await rows.filter({ hasText: /Health \d+% \(healthy\)/ }).first().waitFor({ timeout: 60_000 });
      assert.equal(await rows.filter({ hasText: 'mem0ai_mcp' }).count(), 0);
      await vscode.screenshot('first-open');
      // The other views folded away, so the screenshot shows the whole Health tree.
      const others = ['Agents', 'Runs', 'Tickets', 'Memory'];
      await togglePanes(others);
      try {
        // The project's git details open too, indented below their project.
        await rows.filter({ hasText: /compliance \d+%/ }).first().click();
        await rows.filter({ hasText: /Last commit|No commits yet/ }).first().waitFor({ timeout: 10_000 });
        await vscode.scrollToRow('Health', 'CLAUDE.md Templates');
        await vscode.screenshot('health-view');
      } finally {
        await togglePanes(others);
      }
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
      assert.equal(await frame.locator('#health-status').textContent(), 'healthy');
      assert.match((await frame.locator('#services').textContent()) ?? '', /No services to check/);
      await vscode.screenshot('dashboard');
      await vscode.page.locator('iframe.webview.ready').screenshot({ path: join(resultsDir, 'dashboard-webview.png') });
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

  it('delegates a task with an open ticket picked in three steps; the Runs view names the run by its task', () =>
    step('delegate', async () => {
      await vscode.runCommand('Claude PM: Delegate Task to Agent…');
      await vscode.page.locator('.quick-input-widget', { hasText: '1/3' }).waitFor({ timeout: 10_000 });
      await vscode.pickQuickInput('QA Agent');
      await vscode.answerInputBox('What should the agent do?', 'run the demo test suite');
      await vscode.page.locator('.quick-input-widget', { hasText: '3/3' }).waitFor({ timeout: 10_000 });
      await vscode.pickQuickInput('ISS-0001');
      await vscode.openContainer();
      const run = vscode.viewRows('Runs').filter({ hasText: 'run the demo test suite' }).first();
      await run.waitFor({ timeout: 30_000 });
      await waitFor(async () => /succeeded/.test((await run.textContent()) ?? ''), 30_000, 'the delegated run to succeed');
      assert.doesNotMatch((await run.textContent()) ?? '', /Delegated to/);
      await vscode.screenshot('runs-view');
    }));

  it('draws the latest workflow run as a graph, lists runs with cost and charts cost per day; clicks reveal runs and steps in the Runs view', () =>
    step('dashboard-runs', async () => {
      await vscode.runCommand('Claude PM: Open Dashboard');
      const frame = vscode.dashboardFrame();
      // Before any workflow ran here: the run from the history, its hostile step name shown as text.
      const hostileNode = frame.locator(`#workflow-graph .dag-node[data-step="${HOSTILE}"]`);
      await hostileNode.waitFor({ timeout: 30_000 });
      assert.match((await hostileNode.textContent()) ?? '', /<img src=x/);
      assert.equal(await frame.locator('img').count(), 0, 'a name was parsed as HTML');
      assert.equal(await frame.locator('#workflow-graph .dag-node').count(), 3);
      // Its cost per agent type is charted, with a legend and the same figures as a table.
      await frame.locator('#cost-chart rect.chart-bar').first().waitFor({ timeout: 15_000 });
      assert.equal(await frame.locator('#cost-chart rect.chart-bar').count(), 3);
      assert.match((await frame.locator('#cost-card .legend').textContent()) ?? '', /engineer.*\$1\.10.*research.*\$0\.42.*qa.*\$0\.25/);
      assert.match((await frame.locator('#cost-chart').getAttribute('aria-label')) ?? '', /\$1\.77 in all/);
      assert.equal(await frame.locator('#cost-card table tbody tr').count(), 1);

      // A real run of the demo's parallel workflow (command runner) replaces it, live.
      await vscode.runCommand('Claude PM: Run Workflow…');
      await vscode.pickQuickInput('checks');
      await vscode.runCommand('Claude PM: Open Dashboard');
      const summary = frame.locator('#workflow-graph .dag-node[data-step="summary"]');
      await summary.waitFor({ timeout: 60_000 });
      await waitFor(async () => /summary: command · succeeded/.test((await summary.getAttribute('aria-label')) ?? ''), 60_000, 'the summary step to succeed in the graph');
      assert.deepEqual((await frame.locator('#workflow-graph .dag-node').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-step')))).sort(), ['docs', 'lint', 'summary', 'tests']);
      // The run itself finishes a moment after its last step (it records its closing checkpoint first).
      const header = frame.locator('#graph-card .graph-header');
      await waitFor(async () => /checks.*succeeded/.test((await header.textContent()) ?? ''), 60_000, 'the checks run to succeed in the graph header');
      const runRow = frame.locator('#recent-runs-card tbody tr').first();
      await waitFor(async () => /checks workflow.*succeeded/.test((await runRow.textContent()) ?? ''), 30_000, 'the checks run to succeed in the Recent Runs card');
      assert.equal(await frame.locator('#recent-runs-card tbody tr', { hasText: 'nightly-review' }).count(), 1);
      await vscode.page.locator('iframe.webview.ready').screenshot({ path: join(resultsDir, 'dashboard-runs.png') });

      // A click on the run in the card selects it in the Runs view; Enter on a graph node selects its step.
      await runRow.click();
      const selected = vscode.viewRows('Runs').and(vscode.page.locator('[aria-selected="true"]'));
      await waitFor(async () => /^checks/.test((await selected.first().textContent().catch(() => '')) ?? ''), 15_000, 'the checks run selected in the Runs view');
      await vscode.runCommand('Claude PM: Open Dashboard');
      await frame.locator('#workflow-graph .dag-node[data-step="summary"]').focus();
      await vscode.page.keyboard.press('Enter');
      await waitFor(async () => /^summary/.test((await selected.first().textContent().catch(() => '')) ?? ''), 15_000, 'the summary step selected in the Runs view');
      await vscode.screenshot('dashboard-reveal');
    }));

  it('offers the Get Started walkthrough', () =>
    step('walkthrough', async () => {
      await vscode.runCommand('Welcome: Open Walkthrough...');
      await vscode.pickQuickInput('Get Started with Claude PM');
      await vscode.page.locator('.gettingStartedContainer', { hasText: 'Trust the workspace' }).first().waitFor({ timeout: 15_000 });
      await vscode.page.locator('.gettingStartedContainer', { hasText: 'Delegate a first task' }).first().waitFor({ timeout: 5_000 });
      await vscode.screenshot('walkthrough');
    }));

  it('activates with under 20 ms of work (read from the extension log)', () =>
    step('activation-time', async () => {
      // Each window reload starts a new extension host and logs one more activation. Wall time grows when the
      // browser and the server take the cores, process CPU time with other extensions' threads: both bound the
      // work `activate` did, so a sample is the smaller of the two, and the best of up to three samples counts.
      const samples = (): { wall: number; cpu: number; shares: string }[] =>
        findFiles(join(vscode.userDataDir, 'logs'), 'Claude PM.log')
          .flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/activated in ([\d.]+) ms, cpu ([\d.]+) ms \((.*)\)/g)])
          .map((m) => ({ wall: Number(m[1]), cpu: Number(m[2]), shares: m[3]! }));
      await waitFor(() => samples().length > 0, 15_000, 'the activation line in the Claude PM log');
      const work = () => Math.min(...samples().map((s) => Math.min(s.wall, s.cpu)));
      for (let reloads = 0; work() >= 20 && reloads < 2; reloads++) {
        const seen = samples().length;
        await vscode.page.reload();
        await waitFor(() => samples().length > seen, 60_000, 'the next activation after a reload');
      }
      for (const s of samples()) console.log(`activation: ${s.wall} ms wall, ${s.cpu} ms cpu (${s.shares})`);
      assert.ok(work() < 20, `activation took ${work()} ms at best`);
    }));
});

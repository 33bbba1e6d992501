import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { launchVsCode, type VsCode } from './vscodeHarness';

// A cloned repository whose git config runs its own script on any `git status`. Opened untrusted, the extension
// still shows its views (health included) but no git, agent or workflow process may start.
let vscode: VsCode;
let marker: string;

describe('Claude PM in Restricted Mode', () => {
  before(async () => {
    vscode = await launchVsCode({
      demoDir: 'demo',
      vsix: 'dist/claude-pm.vsix',
      untrusted: true,
      prepare: (workspace) => {
        marker = join(workspace, '..', 'fsmonitor-ran');
        const hook = join(workspace, '.git', 'fsmonitor.sh');
        writeFileSync(hook, `#!/bin/sh\necho ran >> '${marker}'\n`);
        chmodSync(hook, 0o755);
        execFileSync('git', ['config', 'core.fsmonitor', hook], { cwd: workspace });
      },
    });
  });
  after(async () => {
    await vscode?.close();
  });

  it('runs the health check without running git: the planted core.fsmonitor never executes', async () => {
    try {
      await vscode.page.locator('.part.statusbar', { hasText: 'Restricted Mode' }).waitFor({ timeout: 30_000 });
      await vscode.openContainer();
      const rows = vscode.viewRows('Health');
      await rows.filter({ hasText: /Health \d+%/ }).first().waitFor({ timeout: 60_000 });
      // The automatic check runs a few seconds after activation: give it time to have happened.
      await vscode.runCommand('Claude PM: Check Health');
      await vscode.page.waitForTimeout(8_000);
      await vscode.screenshot('restricted-health');
      assert.equal(existsSync(marker), false, 'core.fsmonitor ran in Restricted Mode');
    } catch (error) {
      await vscode?.screenshot('failure-restricted').catch(() => undefined);
      throw error;
    }
  });
});

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { eventually, runSuite, test, ui } from '../harness';
import { activateExtension, findRow, path, rows } from '../editor';

export async function run(): Promise<void> {
  ui.install();
  const api = await activateExtension();

  test('the folder opens in Restricted Mode', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  test('tickets, agents and templates stay readable', async () => {
    findRow(await rows(api, 'claudePm.tickets', 4), (r) => r.text.includes('EP-0001'), 'EP-0001');
    findRow(await rows(api, 'claudePm.agents', 3), (r) => /qa/i.test(r.label), 'the qa agent');
  });

  test('delegating to an agent is refused and nothing runs', async () => {
    await vscode.commands.executeCommand('claudePm.agents.delegate', { task: 'run the tests', agentType: 'qa', ticketId: '' });
    await eventually(() => ui.messages.find((m) => /Restricted Mode/.test(m.text)), 'the Restricted Mode warning');
    assert.equal(existsSync(path('.claude-pm', 'runs')), false);
  });

  test('running a workflow is refused and nothing runs', async () => {
    await vscode.commands.executeCommand('claudePm.workflows.run', vscode.Uri.file(path('.claude-pm', 'workflows', 'quick.yaml')));
    await eventually(() => ui.messages.find((m) => /Restricted Mode/.test(m.text)), 'the Restricted Mode warning');
    assert.equal(existsSync(path('.claude-pm', 'runs')), false);
    assert.deepEqual(await rows(api, 'claudePm.runs', 1), []);
  });

  await runSuite('untrusted folder', api.activationMs);
}

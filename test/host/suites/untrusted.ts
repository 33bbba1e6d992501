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

  test('the event listener, its secret, redelivery, the database URL and the GitHub sync are refused without asking anything', async () => {
    const refusals: [string, RegExp][] = [
      ['claudePm.tickets.syncGitHub', /^Changing tickets is disabled in Restricted Mode/],
      ['claudePm.events.startListener', /^Listening for webhooks is disabled in Restricted Mode/],
      ['claudePm.events.redeliver', /^Listening for webhooks is disabled in Restricted Mode/],
      ['claudePm.events.setSecret', /^Changing the configuration is disabled in Restricted Mode/],
      ['claudePm.security.setDatabaseUrl', /^Changing API keys is disabled in Restricted Mode/],
    ];
    for (const [id, refusal] of refusals) {
      ui.reset();
      // An answer waits for a prompt that must never come.
      ui.answer('host-untrusted-secret-41xq');
      await vscode.commands.executeCommand(id);
      await eventually(() => ui.messages.find((m) => m.level === 'warning' && refusal.test(m.text)), `the refusal of ${id}`);
      assert.equal(ui.pending(), 1, `${id} asked for input`);
    }
    assert.ok(!ui.texts().some((t) => /Listening for webhooks on/.test(t)));
    ui.reset();
    await vscode.commands.executeCommand('claudePm.events.stopListener');
    assert.deepEqual(ui.texts(), ['The event listener is not running.']);
    assert.equal(existsSync(path('.claude-pm', 'events')), false);
    assert.equal(existsSync(path('.claude-pm', 'sync')), false);
  });

  await runSuite('untrusted folder', api.activationMs);
}

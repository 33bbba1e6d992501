import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { eventually, runSuite, test, ui } from '../harness';
import { activateExtension, fileContains, findRow, folder, read, rows } from '../editor';

// alpha: policy makes everyone a viewer, embedded memory. beta: no policy (everyone is admin), memory in a mem0
// server whose key comes from MEM0AI_API_KEY (see test/host/workspaces.ts).
const alpha = () => folder(0);
const beta = () => folder(1);
const auditLog = (f: vscode.WorkspaceFolder) => join(f.uri.fsPath, '.claude-pm', 'logs', 'audit.log');

async function editIn(f: vscode.WorkspaceFolder): Promise<void> {
  await vscode.window.showTextDocument(vscode.Uri.joinPath(f.uri, 'src', 'app.ts'));
}

export async function run(): Promise<void> {
  ui.install();
  const api = await activateExtension();

  test('the views show both folders: agents per folder, tickets of each', async () => {
    assert.deepEqual(vscode.workspace.workspaceFolders?.map((f) => f.name), ['alpha', 'beta']);
    const agents = await rows(api, 'claudePm.agents', 1);
    assert.deepEqual(agents.map((r) => r.label), ['alpha', 'beta']);
    const tickets = await rows(api, 'claudePm.tickets', 1);
    assert.ok(tickets.length >= 2, JSON.stringify(tickets.map((r) => r.text)));
  });

  test('a write in alpha (viewer) is refused and audited in alpha only', async () => {
    await editIn(alpha());
    await vscode.commands.executeCommand('claudePm.memory.add', 'Never remembered', 'project');
    await eventually(() => ui.messages.find((m) => m.level === 'warning' && /may not/.test(m.text)), 'the refusal');
    await fileContains(auditLog(alpha()), 'memory.write');
    assert.equal(read(auditLog(beta())), '');
    assert.doesNotMatch(read(join(alpha().uri.fsPath, '.claude-pm', 'memory', 'events.jsonl')), /Never remembered/);
  });

  test('the same command from an editor in beta (admin) remembers in beta\'s mem0 server', async () => {
    await editIn(beta());
    ui.answer('Beta keeps its memories in mem0', 'team');
    await vscode.commands.executeCommand('claudePm.memory.add');
    await eventually(() => ui.texts().find((t) => /^Remembered/.test(t)), 'the remembered message');
    const category = await eventually(async () => (await rows(api, 'claudePm.memory', 2)).find((r) => r.label === 'team' && r.children.some((c) => c.label.includes('mem0'))), 'the memory in beta\'s view');
    assert.ok(category);
    assert.doesNotMatch(read(join(alpha().uri.fsPath, '.claude-pm', 'memory', 'events.jsonl')), /Beta keeps/);
  });

  test('with no editor open, a guarded command asks which folder and acts there', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await eventually(() => !vscode.window.activeTextEditor, 'no active editor');
    ui.answer('beta', 'ops@example.com', 'viewer');
    await vscode.commands.executeCommand('claudePm.security.assignRole');
    await fileContains(join(beta().uri.fsPath, '.claude-pm', 'policy.json'), 'ops@example.com');
    assert.equal(ui.pending(), 0);
    assert.doesNotMatch(read(join(alpha().uri.fsPath, '.claude-pm', 'policy.json')), /ops@example.com/);
  });

  test('Test Authentication uses beta\'s backend and the key from the environment', async () => {
    await editIn(beta());
    await vscode.commands.executeCommand('claudePm.security.testAuth');
    const message = await eventually(() => ui.messages.find((m) => /^(authenticated|rejected|error|unreachable|locked) /.test(m.text)), 'the authentication result');
    assert.match(message.text, /^authenticated \(/, message.text);
  });

  test('a broken config.json is a problem of its own folder only', async () => {
    const alphaConfig = vscode.Uri.joinPath(alpha().uri, '.claude-pm', 'config.json');
    writeFileSync(alphaConfig.fsPath, '{ "environment": "development", "orchestrator": { "max_agents": "many" } }\n');
    await vscode.commands.executeCommand('claudePm.health.refresh');
    await eventually(() => vscode.languages.getDiagnostics(alphaConfig).some((d) => /max_agents/.test(d.message)), 'the config problem in alpha');
    const betaConfig = vscode.Uri.joinPath(beta().uri, '.claude-pm', 'config.json');
    assert.deepEqual(vscode.languages.getDiagnostics(betaConfig), []);
    findRow(await rows(api, 'claudePm.health', 1), (r) => r.text.length > 0, 'a health row');
  });

  await runSuite('multi-root', api.activationMs);
}

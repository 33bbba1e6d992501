import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { signBody } from '../../../src/core/events/signature';
import { freePort } from '../../helpers/freePort';
import { eventually, runSuite, test, ui } from '../harness';
import { GitHubTestServer } from '../../helpers/githubServer';
import { startScriptedModelServer } from '../../helpers/scriptedModelServer';
import { activateExtension, activeEditor, fileContains, findRow, flatten, folder, path, read, rows, tabLabels } from '../editor';

const run$ = (id: string, ...args: unknown[]) => vscode.commands.executeCommand(id, ...args);

/** Posts a GitHub push to the listener, signed with `secret`. */
function deliverPush(port: number, secret: string, deliveryId: string): Promise<Response> {
  const body = JSON.stringify({ ref: 'refs/heads/main', commits: [] });
  return fetch(`http://127.0.0.1:${port}/webhooks/github`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': deliveryId, 'x-hub-signature-256': signBody(secret, body) },
    body,
  });
}

export async function run(): Promise<void> {
  ui.install();
  const api = await activateExtension();

  test('every command the manifest contributes is registered', async () => {
    const manifest = vscode.extensions.getExtension('claude-pm.claude-pm-vscode')!.packageJSON as { contributes: { commands: { command: string }[] } };
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(manifest.contributes.commands.map((c) => c.command).filter((id) => !registered.has(id)), []);
  });

  // Views, read through their providers, against the demo workspace.
  test('Tickets view: the demo epics with their issues and tasks', async () => {
    const tree = await rows(api, 'claudePm.tickets', 4);
    const epic = findRow(tree, (r) => r.text.includes('EP-0001'), 'EP-0001');
    findRow(epic.children, (r) => r.text.includes('ISS-0001'), 'ISS-0001 under EP-0001');
    const labels = flatten(tree).map((r) => r.text).join('\n');
    for (const id of ['EP-0002', 'ISS-0005', 'TSK-0001']) assert.match(labels, new RegExp(id));
  });

  test('Agents view: project agents of the demo and the built-in system agents', async () => {
    const tree = await rows(api, 'claudePm.agents', 3);
    const project = findRow(tree, (r) => /project/i.test(r.label), 'project tier');
    assert.ok(project.children.some((r) => /qa/i.test(r.label)), JSON.stringify(project.children.map((r) => r.label)));
    findRow(tree, (r) => /system/i.test(r.label), 'system tier');
  });

  test('Memory view: empty for the demo, then a category with the remembered text', async () => {
    ui.answer('Retry login failures with exponential backoff', 'pattern');
    await run$('claudePm.memory.add');
    await fileContains(path('.claude-pm', 'memory', 'events.jsonl'), 'exponential backoff');
    const tree = await eventually(async () => {
      const list = await rows(api, 'claudePm.memory', 2);
      return list.some((r) => r.label === 'pattern' && r.children.some((c) => c.label.includes('exponential backoff'))) ? list : undefined;
    }, 'the pattern category in the Memory view');
    assert.ok(tree.length >= 1);
    assert.ok(ui.texts().some((t) => /Remembered/.test(t)), ui.texts().join(' | '));
  });

  test('Health view: a check writes the report and the view shows score, services and projects', async () => {
    await run$('claudePm.health.refresh');
    await fileContains(path('.claude-pm', 'logs', 'health-report.json'), 'overall_health_percentage');
    const tree = await rows(api, 'claudePm.health', 2);
    assert.ok(tree.length >= 3, JSON.stringify(tree.map((r) => r.label)));
    findRow(tree, (r) => /%/.test(r.label) || /%/.test(r.description), 'the score');
  });

  test('Runs view and workflow commands: Run Workflow runs quick.yaml and the run is listed as succeeded', async () => {
    await run$('claudePm.workflows.run', vscode.Uri.file(path('.claude-pm', 'workflows', 'quick.yaml')));
    const run = await eventually(async () => (await rows(api, 'claudePm.runs', 2)).find((r) => r.label === 'quick' && /succeeded/.test(r.description)), 'a succeeded quick run');
    assert.deepEqual(run.children.map((c) => c.label), ['status', 'done']);
    // The message comes once the run has fully ended, so that it may be run again.
    await eventually(() => ui.texts().includes("Workflow 'quick' succeeded."), 'the succeeded message');
    assert.ok(readdirSync(path('.claude-pm', 'runs')).some((f) => f.endsWith('.json')));
  });

  test('Rerun, Retry and Show Log act on a finished run; Cancel says it is not running', async () => {
    const first = (await rows(api, 'claudePm.runs', 1)).find((r) => r.label === 'quick')!;
    const count = async () => (await rows(api, 'claudePm.runs', 1)).filter((r) => r.label === 'quick').length;
    const before = await count();
    await run$('claudePm.runs.rerun', first.node);
    await eventually(async () => (await count()) > before, 'a second quick run');
    await run$('claudePm.runs.retry', first.node);
    await eventually(async () => (await count()) > before + 1, 'a third quick run');
    await run$('claudePm.runs.cancel', first.node);
    assert.ok(ui.texts().includes('That run is not running.'), ui.texts().join(' | '));
    await run$('claudePm.runs.showLog', first.node);
    await run$('claudePm.runs.refresh');
    await eventually(async () => (await count()) >= before + 2, 'the runs after a refresh from disk');
  });

  test('New Workflow from Template writes and opens the new file', async () => {
    ui.answer((items) => items[0], 'host-flow');
    await run$('claudePm.workflows.new');
    const file = path('.claude-pm', 'workflows', 'host-flow.yaml');
    await activeEditor((uri) => uri.fsPath === file, file);
    assert.match(read(file), /^name: host-flow$/m);
  });

  test('Delegate runs the qa agent with the command runner and records the run', async () => {
    ui.answer('Run the demo test suite', '');
    const tree = await rows(api, 'claudePm.agents', 3);
    const qa = findRow(tree, (r) => r.contextValue === 'agent' && /qa/i.test(r.label), 'the qa agent');
    await run$('claudePm.agents.delegateInline', qa.node);
    await eventually(() => ui.texts().find((t) => /finished the task/.test(t)), 'the finished message');
    const direct = (await run$('claudePm.agents.delegate', { task: 'Check the docs', agentType: 'documentation', ticketId: '' })) as { result?: { status: string; output: string } };
    assert.equal(direct.result?.status, 'succeeded');
    assert.match(direct.result?.output ?? '', /docs are up to date/);
  });

  test('A delegated run that wrote a file: its live step, Review Changes as a multi-file diff, Revert Run after confirming', async () => {
    const settings = vscode.workspace.getConfiguration('claudePm', folder().uri);
    await settings.update('agents.commandTemplates', { engineer: 'echo written by the agent > host-notes.md' }, vscode.ConfigurationTarget.WorkspaceFolder);
    try {
      const run = (await run$('claudePm.agents.delegate', { task: 'Write the notes', agentType: 'engineer', ticketId: '' })) as { id: string; checkpoint?: { files?: { path: string; change: string }[] } };
      assert.deepEqual(run.checkpoint?.files?.map((f) => [f.path, f.change]), [['host-notes.md', 'added']]);
      assert.match(read(path('host-notes.md')), /written by the agent/);
      const row = await eventually(async () => (await rows(api, 'claudePm.runs', 2)).find((r) => r.label === 'Write the notes' && r.contextValue?.startsWith('run.delegated.changes')), 'the run with its changes');
      assert.equal(row.children.length, 1);
      await run$('claudePm.runs.reviewChanges', row.node);
      await eventually(() => tabLabels().find((l) => l.includes('Changes of run "Write the notes"')), 'the multi-file diff');
      ui.choose('Revert');
      await run$('claudePm.runs.revert', row.node);
      await eventually(() => !existsSync(path('host-notes.md')), 'host-notes.md removed');
      assert.ok(ui.texts().some((t) => t === 'Reverted 1 file.'), ui.texts().join(' | '));
    } finally {
      await settings.update('agents.commandTemplates', undefined, vscode.ConfigurationTarget.WorkspaceFolder);
    }
  });

  test('A task delegated to a Claude agent shows its tool calls in the Runs view, and Continue… adds the follow-up under the run', async () => {
    // The real Claude Code CLI against the scripted Messages API: the extension host's environment reaches the runner.
    const server = await startScriptedModelServer();
    const settings = vscode.workspace.getConfiguration('claudePm', folder().uri);
    const claude = join(vscode.extensions.getExtension('claude-pm.claude-pm-vscode')!.extensionPath, 'node_modules', '.bin', 'claude');
    const saved = { ...process.env };
    Object.assign(process.env, { ANTHROPIC_BASE_URL: server.baseUrl, ANTHROPIC_API_KEY: 'sk-test', DISABLE_AUTOUPDATER: '1', CLAUDE_CONFIG_DIR: path('.claude-pm', 'host-claude-config') });
    await settings.update('agents.runner', 'claude', vscode.ConfigurationTarget.WorkspaceFolder);
    await settings.update('agents.claudePath', claude, vscode.ConfigurationTarget.WorkspaceFolder);
    await settings.update('agents.mcpServer', false, vscode.ConfigurationTarget.WorkspaceFolder);
    try {
      server.script([{ text: 'Reading the readme.', toolUse: { name: 'Read', input: { file_path: path('README.md') } } }, { text: 'It describes the demo.' }]);
      const run = (await run$('claudePm.agents.delegate', { task: 'Read the readme', agentType: 'engineer', ticketId: '' })) as { result?: { status: string; sessionId?: string; error?: string } };
      assert.equal(run.result?.status, 'succeeded', run.result?.error);
      const listed = async () => (await rows(api, 'claudePm.runs', 3)).find((r) => r.label === 'Read the readme');
      const row = await eventually(async () => ((await listed())?.contextValue?.includes('.resumable') ? listed() : undefined), 'the resumable run');
      const calls = row!.children[0]!.children;
      assert.deepEqual(calls.map((c) => c.label), ['Read']);
      assert.match(calls[0]!.description, /README\.md/);

      server.script([{ text: 'It is a demo project.' }]);
      ui.answer('and summarise it in one line');
      await run$('claudePm.runs.continue', row!.node);
      const turn = await eventually(async () => (await listed())?.children.find((c) => c.label.includes('and summarise it in one line') && /succeeded/.test(c.description)), 'the follow-up under the run');
      assert.ok(turn);
      const resumed = server.requests.filter((r) => r.main).at(-1)!;
      assert.match(JSON.stringify(resumed.body.messages), /Read the readme[\s\S]*and summarise it in one line/);
    } finally {
      for (const key of ['ANTHROPIC_BASE_URL', 'ANTHROPIC_API_KEY', 'DISABLE_AUTOUPDATER', 'CLAUDE_CONFIG_DIR']) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
      for (const key of ['agents.runner', 'agents.claudePath', 'agents.mcpServer']) await settings.update(key, undefined, vscode.ConfigurationTarget.WorkspaceFolder);
      await server.close();
    }
  });

  test('Open Agent Definition opens the agent file; Refresh finds a new agent file', async () => {
    const tree = await rows(api, 'claudePm.agents', 3);
    const qa = findRow(tree, (r) => r.contextValue === 'agent' && /qa/i.test(r.label), 'the qa agent');
    await run$('claudePm.agents.openDefinition', qa.node);
    await activeEditor((uri) => uri.fsPath.includes('.claude-pm/agents/project-specific'), 'the qa agent file');
    writeFileSync(path('.claude-pm', 'agents', 'project-specific', 'host-agent.md'), '# Host Agent\n\n## Role\nChecks the in-editor suites.\n');
    await run$('claudePm.agents.refresh');
    await eventually(async () => flatten(await rows(api, 'claudePm.agents', 3)).some((r) => /host/i.test(r.label)), 'the new agent in the view');
  });

  test('Tickets: create, transition, add a note, complete, open and filter', async () => {
    ui.answer('task', 'Write the host suite', (items) => items.find((i) => String((i as { label: string }).label).startsWith('ISS-0001')), 'high');
    await run$('claudePm.tickets.create');
    const created = await eventually(() => readdirSync(path('tasks', 'tasks')).find((f) => /write-the-host-suite/.test(f)), 'the new task file');
    const id = created.match(/^TSK-\d+/)![0];
    const file = path('tasks', 'tasks', created);
    const status = () => read(file).match(/^status: (.*)$/m)?.[1];
    const initial = status();
    ui.answer((items) => items[0], '');
    await run$('claudePm.tickets.transition', id);
    await eventually(() => status() !== initial, `the status of ${id} to change from ${initial}`);
    ui.answer('Started from the editor');
    await run$('claudePm.tickets.addNote', id);
    await fileContains(path('tasks', 'tasks', created), 'Started from the editor');
    await run$('claudePm.tickets.complete', id);
    await fileContains(file, /^status: (completed|done)$/m);
    await run$('claudePm.tickets.open', id);
    await activeEditor((uri) => uri.fsPath.endsWith(created), created);
    ui.answer((items) => items.find((i) => /text/i.test(JSON.stringify(i))), 'host suite');
    await run$('claudePm.tickets.filter');
    await eventually(async () => {
      const list = flatten(await rows(api, 'claudePm.tickets', 4));
      return list.some((r) => r.text.includes(id)) && !list.some((r) => r.text.includes('EP-0002'));
    }, 'only the matching ticket in the view');
    await run$('claudePm.tickets.clearFilter');
    await eventually(async () => flatten(await rows(api, 'claudePm.tickets', 4)).some((r) => r.text.includes('EP-0002')), 'every ticket again');
  });

  test('Tickets: group by status, refresh, delegate a ticket and initialise a tracker that exists', async () => {
    await run$('claudePm.tickets.groupBy', 'status');
    await eventually(async () => (await rows(api, 'claudePm.tickets', 1)).some((r) => /open|active|progress|completed/i.test(r.label)), 'status groups');
    await run$('claudePm.tickets.groupBy', 'none');
    await run$('claudePm.tickets.refresh');
    await eventually(async () => flatten(await rows(api, 'claudePm.tickets', 4)).some((r) => r.text.includes('EP-0001')), 'tickets after a refresh');
    ui.answer((items) => items.find((i) => /qa/i.test(JSON.stringify(i))));
    await run$('claudePm.tickets.delegate', 'ISS-0001');
    await eventually(() => ui.texts().find((t) => /finished the task/.test(t)), 'the delegated ticket to finish');
    await run$('claudePm.tickets.init');
    assert.ok(ui.texts().some((t) => /Ticket tracker initialised in demo|demo already has a ticket tracker/.test(t)), ui.texts().join(' | '));
    assert.ok(existsSync(path('.ai-trackdown', 'config.yaml')));
  });

  test('Memory: show, edit, copy, delete, remember a selection, export and import', async () => {
    const category = await eventually(async () => (await rows(api, 'claudePm.memory', 2)).find((r) => r.label === 'pattern'), 'the pattern category');
    const memory = category.children[0]!;
    await run$('claudePm.memory.show', (memory.node as { memory: { id: string } }).memory.id);
    await activeEditor((uri) => uri.scheme === 'untitled', 'the memory document');
    assert.match(vscode.window.activeTextEditor!.document.getText(), /exponential backoff/);
    ui.answer('Retry login failures with capped exponential backoff');
    await run$('claudePm.memory.edit', memory.node);
    await fileContains(path('.claude-pm', 'memory', 'events.jsonl'), 'capped exponential backoff');
    await run$('claudePm.memory.copy', memory.node);
    assert.match(await vscode.env.clipboard.readText(), /backoff/);

    const source = await vscode.workspace.openTextDocument(vscode.Uri.file(path('src', 'app.ts')));
    const editor = await vscode.window.showTextDocument(source);
    editor.selection = new vscode.Selection(0, 0, Math.min(2, source.lineCount - 1), 0);
    for (const [id, note] of [['claudePm.memory.rememberPattern', 'A pattern'], ['claudePm.memory.rememberDecision', 'A decision'], ['claudePm.memory.rememberErrorSolution', 'A fix']] as const) {
      ui.answer(note);
      await run$(id);
      await fileContains(path('.claude-pm', 'memory', 'events.jsonl'), note);
    }

    const exported = vscode.Uri.file(path('exported.jsonl'));
    ui.answer(exported as unknown as string);
    await run$('claudePm.memory.exportJsonl');
    const text = await fileContains(exported.fsPath, 'A decision');
    writeFileSync(exported.fsPath, `${text}{"content":"Imported from the host suite","category":"team"}\n`);
    ui.answer([exported] as unknown as string);
    await run$('claudePm.memory.importJsonl');
    await fileContains(path('.claude-pm', 'memory', 'events.jsonl'), 'Imported from the host suite');

    ui.choose('Delete');
    await run$('claudePm.memory.delete', memory.node);
    await eventually(async () => !flatten(await rows(api, 'claudePm.memory', 2)).some((r) => r.label.includes('capped exponential')), 'the deleted memory to leave the view');
    await run$('claudePm.memory.refresh');
  });

  test('Health: init layout, open config and a fix', async () => {
    await run$('claudePm.health.initLayout', path('.'));
    await eventually(() => ui.texts().find((t) => /Created|already exist/.test(t)), 'the layout message');
    await run$('claudePm.health.openConfig');
    await activeEditor((uri) => uri.fsPath === path('.claude-pm', 'config.json'), 'config.json');
    await run$('workbench.action.closeAllEditors');
    // The fix of a row runs its command with its arguments: here the one that opens the config.
    await run$('claudePm.health.fix', { fix: { command: 'claudePm.health.openConfig', title: 'Open Config' } });
    await activeEditor((uri) => uri.fsPath === path('.claude-pm', 'config.json'), 'config.json from the fix');
  });

  test('Register the MCP server writes the claude-pm entry into .mcp.json', async () => {
    await run$('claudePm.agents.registerMcpServer');
    const text = await fileContains(path('.mcp.json'), 'claude-pm');
    assert.match(text, /cli\.js/);
  });

  test('Templates: deploy writes CLAUDE.md, check opens it, rollback restores a backup, open master', async () => {
    ui.choose('Deploy');
    await run$('claudePm.templates.deploy');
    const target = await eventually(() => ['CLAUDE.md', join('..', 'CLAUDE.md')].map((p) => path(p)).find((p) => existsSync(p) && read(p).includes('CLAUDE')), 'a deployed CLAUDE.md');
    ui.answer((items) => items[0]);
    await run$('claudePm.templates.check');
    await activeEditor((uri) => uri.fsPath.endsWith('CLAUDE.md'), 'the deployed CLAUDE.md');
    ui.choose('Redeploy…', 'Deploy');
    await run$('claudePm.templates.deploy');
    ui.answer((items) => items[0]);
    ui.choose('Restore');
    await run$('claudePm.templates.rollback');
    await eventually(() => ui.texts().find((t) => /Restored|already matches|no backups/.test(t)), 'the rollback message');
    assert.ok(existsSync(target));
    await run$('claudePm.templates.openMaster');
    await activeEditor((uri) => uri.fsPath.endsWith(join('templates', 'CLAUDE.md')), 'the master template');
  });

  test('Security: keys, role, validate, test auth and the audit log', async () => {
    ui.answer('mem0', 'host-suite-key-5Jq8Lr2Wx7Zp4Nc9Vb3Hd6Tf1Gk0Ms');
    await run$('claudePm.security.setApiKey');
    await fileContains(path('.claude-pm', 'logs', 'audit.log'), 'key_rotation');
    ui.answer('anthropic');
    await run$('claudePm.security.generateKey');
    await eventually(() => ui.texts().find((t) => /A new API key for anthropic/.test(t)), 'the new key message');
    ui.answer('anthropic');
    ui.choose('Clear Key');
    await run$('claudePm.security.clearApiKey');
    await eventually(() => ui.texts().find((t) => /was removed/.test(t)), 'the removal message');
    ui.answer('teammate@example.com', 'developer');
    await run$('claudePm.security.assignRole');
    await fileContains(path('.claude-pm', 'policy.json'), 'teammate@example.com');
    await run$('claudePm.security.validate');
    await eventually(() => tabLabels().some((l) => /security report/i.test(l)), 'the security report preview');
    await run$('claudePm.security.testAuth');
    assert.ok(ui.texts().some((t) => /needs no authentication/.test(t)), ui.texts().join(' | '));
    await run$('claudePm.security.verifyAuditLog');
    assert.ok(ui.texts().some((t) => /Audit log of/.test(t)), ui.texts().join(' | '));
    await run$('claudePm.security.showAuditLog');
    await activeEditor((uri) => uri.fsPath.endsWith('audit.log'), 'the audit log');
  });

  test('General: Show Log, Open Settings and the dashboard webview', async () => {
    await run$('claudePm.openDashboard');
    await eventually(() => tabLabels().includes('Claude PM Dashboard'), 'the dashboard tab');
    await run$('claudePm.openSettings');
    await eventually(() => tabLabels().some((l) => /Settings/.test(l)), 'the settings tab');
    await run$('claudePm.showLog');
    await eventually(() => vscode.workspace.textDocuments.some((d) => d.uri.scheme === 'output' && /Claude PM/i.test(d.uri.toString(true))), 'the Claude PM log in the Output panel');
  });

  test('Tickets: a note named like a ticket gets its frontmatter; a fuller ticket folder raises a notice and Choose Ticket Root switches to it and back', async () => {
    const note = path('tasks', 'issues', 'ISS-0099-hand-written-note.md');
    writeFileSync(note, '# Fix the pager\n\nSteps written by hand.\n');
    await run$('claudePm.tickets.addFrontmatter', vscode.Uri.file(note), 'ISS-0099');
    await fileContains(note, /^---\n[\s\S]*issue_id: ISS-0099[\s\S]*title: Fix the pager[\s\S]*---\n\n# Fix the pager/);
    await eventually(async () => flatten(await rows(api, 'claudePm.tickets', 4)).some((r) => r.text.includes('ISS-0099')), 'ISS-0099 in the Tickets view');

    // A second tree holding more tickets than the demo's own tasks/ folder.
    mkdirSync(path('backlog', 'issues'), { recursive: true });
    for (let n = 501; n <= 520; n++) writeFileSync(path('backlog', 'issues', `ISS-0${n}-imported.md`), `---\nissue_id: ISS-0${n}\ntitle: Imported ${n}\nstatus: planning\npriority: medium\n---\n`);
    await run$('claudePm.tickets.refresh');
    await eventually(async () => (await rows(api, 'claudePm.tickets', 1)).some((r) => /backlog holds 20 tickets/.test(r.text)), 'the notice row naming backlog');
    ui.answer((items) => items.find((i) => (i as { label: string }).label === 'backlog'));
    await run$('claudePm.tickets.chooseRoot');
    await eventually(async () => flatten(await rows(api, 'claudePm.tickets', 2)).some((r) => r.text.includes('ISS-0501')), 'the backlog tickets in the view');
    assert.equal(vscode.workspace.getConfiguration('claudePm', folder().uri).get('tickets.root'), 'backlog');
    ui.answer((items) => items.find((i) => (i as { label: string }).label === 'tasks'));
    await run$('claudePm.tickets.chooseRoot');
    await eventually(async () => flatten(await rows(api, 'claudePm.tickets', 4)).some((r) => r.text.includes('EP-0001')), 'the demo tickets again');
  });

  test('Events: Set Webhook Secret, Start Event Listener, a signed delivery runs its workflow, Redeliver, Stop Event Listener', async () => {
    const port = await freePort();
    await vscode.workspace.getConfiguration('claudePm', folder().uri).update('events.port', port, vscode.ConfigurationTarget.Workspace);
    writeFileSync(path('.claude-pm', 'workflows', 'on-push.yaml'), 'name: on-push\ntriggers:\n  - { event: push, branches: [main] }\nsteps:\n  - { name: check, command: "echo checking $CLAUDE_PM_EVENT_NAME; exit 3" }\n');
    const secret = 'host-webhook-secret-7Hq2Zx9';
    ui.answer(secret);
    await run$('claudePm.events.setSecret');
    assert.equal(ui.pending(), 0);
    // No answer is queued: the listener must start with the stored secret instead of asking again.
    await run$('claudePm.events.startListener');
    await eventually(() => ui.texts().find((t) => t.startsWith(`Listening for webhooks on http://127.0.0.1:${port}/webhooks/github`)), 'the listening message');

    assert.equal((await deliverPush(port, 'not-the-stored-secret', 'host-forged')).status, 401);
    assert.equal((await deliverPush(port, secret, 'host-1')).status, 202);
    const onPush = async () => (await rows(api, 'claudePm.runs', 1)).filter((r) => r.label === 'on-push');
    const failed = await eventually(async () => (await onPush()).find((r) => /failed/.test(r.description)), 'the failed on-push run');
    assert.equal((await onPush()).length, 1);

    // The failed run kept its delivery's payload: Redeliver runs the workflow again from it.
    await run$('claudePm.events.redeliver', failed.node);
    await eventually(async () => (await onPush()).length === 2, 'the redelivered on-push run');

    await run$('claudePm.events.stopListener');
    await eventually(() => fetch(`http://127.0.0.1:${port}/healthz`).then(() => false, () => true), 'the listener port to close');
    await run$('claudePm.events.stopListener');
    assert.ok(ui.texts().includes('The event listener is not running.'), ui.texts().join(' | '));
  });

  test('Security: Set Database URL keeps a valid URL, refuses a malformed one, and audits the change', async () => {
    ui.answer('mysql://someone@127.0.0.1/team');
    await run$('claudePm.security.setDatabaseUrl');
    assert.ok(ui.messages.some((m) => m.level === 'error' && /refused: .*must start with postgres:\/\/ or postgresql:\/\//.test(m.text)), ui.texts().join(' | '));
    ui.answer('postgres://host-suite:pw-Hs81q@127.0.0.1:5/team');
    await run$('claudePm.security.setDatabaseUrl');
    await fileContains(path('.claude-pm', 'logs', 'audit.log'), 'set database URL');
    assert.ok(ui.texts().includes('The team database URL is stored (host-suite@127.0.0.1:5/team). Run "claude-pm db status" to check the schema; memory connects with it from the next window reload.'), ui.texts().join(' | '));
    assert.doesNotMatch(read(path('.claude-pm', 'logs', 'audit.log')), /pw-Hs81q/);
  });

  test('Tickets: Sync with GitHub Issues signs in, creates tickets from the issues and opens a conflict', async () => {
    const token = 'host-suite-github-token-7Qx';
    const server = await GitHubTestServer.start({ token, basePath: '/api/v3' });
    const authentication = vscode.authentication as unknown as Record<string, unknown>;
    const original = authentication.getSession;
    const asked: unknown[] = [];
    authentication.getSession = async (...args: unknown[]) => {
      asked.push(args);
      return { id: 'host', accessToken: token, account: { id: 'host', label: 'host' }, scopes: ['repo'] };
    };
    const settings = vscode.workspace.getConfiguration('claudePm');
    try {
      // An http:// issue address: opening the conflict never reaches for a browser.
      server.addIssue('host/demo', { title: 'Filed on GitHub', labels: ['from-github'], html_url: `${server.url}/host/demo/issues/1` });
      await settings.update('tickets.github.baseUrl', server.url, vscode.ConfigurationTarget.Global);
      ui.answer('host/demo');
      await run$('claudePm.tickets.syncGitHub');
      const created = await eventually(() => readdirSync(path('tasks', 'issues')).find((f) => /filed-on-github/.test(f)), 'the ticket of the issue');
      assert.match(read(path('tasks', 'issues', created)), /github:\n {2}repo: host\/demo\n {2}number: 1\n/);
      await eventually(() => ui.texts().find((t) => /^host\/demo: 1 created, 0 updated/.test(t)), 'the summary');
      assert.deepEqual(asked, [['github-enterprise', ['repo'], { createIfNone: true }]]);
      await fileContains(path('.claude-pm', 'logs', 'audit.log'), 'sync GitHub issues of host/demo');

      const id = created.match(/^ISS-\d+/)![0];
      server.editIssue('host/demo', 1, { title: 'Renamed on GitHub' });
      await run$('claudePm.tickets.complete', id);
      await fileContains(path('tasks', 'issues', created), /^status: (completed|done)$/m);
      ui.answer('host/demo', (items) => items[0]);
      ui.choose('Open Conflicts');
      await run$('claudePm.tickets.syncGitHub');
      await activeEditor((uri) => uri.fsPath.endsWith(created), 'the ticket in conflict');
      assert.equal(server.issue('host/demo', 1).state, 'open', 'the issue was left alone');
    } finally {
      authentication.getSession = original;
      await settings.update('tickets.github.baseUrl', undefined, vscode.ConfigurationTarget.Global);
      await server.close();
    }
  });

  test('Memory search opens its live quick pick', async () => {
    await run$('claudePm.memory.search');
    const pick = await eventually(() => ui.quickPicks[0], 'the search quick pick');
    assert.equal(pick.placeholder, 'Search memories');
  });

  // Last: it commits the demo, which the other tests expect uncommitted.
  test('Isolated runs: a workflow step works on its own branch; Review, Apply and Discard act on it', async () => {
    const root = folder().uri.fsPath;
    const git = (...args: string[]) => spawnSync('git', args, { cwd: root, encoding: 'utf8' }).stdout.trim();
    const workflow = path('.claude-pm', 'workflows', 'isolated.yaml');
    writeFileSync(workflow, ['name: isolated', 'isolation: worktree', 'steps:', '  - name: write', '    command: echo from-the-branch > isolated.txt', ''].join('\n'));
    git('add', '--all');
    git('commit', '--quiet', '-m', 'host suite');
    const open = async () => (await rows(api, 'claudePm.runs', 2)).filter((r) => r.label === 'isolated' && r.contextValue?.endsWith('.branches'));

    await run$('claudePm.workflows.run', vscode.Uri.file(workflow));
    const first = await eventually(async () => (await open())[0], 'an isolated run with its branch');
    const step = findRow(first.children, (r) => r.label === 'write', 'the write step');
    assert.equal(step.contextValue, 'step.branch');
    assert.match(step.description, /1 file changed, \+1 −0/);
    assert.equal(existsSync(path('isolated.txt')), false);
    await run$('claudePm.runs.reviewChanges', step.node);
    await eventually(() => tabLabels().find((l) => l.startsWith('isolated · write')), 'the multi-file diff of the step');
    await run$('claudePm.runs.applyChanges', step.node);
    await fileContains(path('isolated.txt'), 'from-the-branch');
    await eventually(async () => (await open()).length === 0, 'the applied run without its actions');

    await run$('claudePm.workflows.run', vscode.Uri.file(workflow));
    const second = await eventually(async () => (await open())[0], 'a second isolated run with its branch');
    const branch = `claude-pm/${(second.node as { id: string }).id}/write`;
    assert.equal(git('branch', '--list', branch), branch);
    ui.choose('Discard');
    await run$('claudePm.runs.discardChanges', second.node);
    await eventually(() => git('branch', '--list', branch) === '', 'the discarded branch to be gone');
    await eventually(async () => (await open()).length === 0, 'the discarded run without its actions');
  });

  await runSuite('single folder', api.activationMs);
}

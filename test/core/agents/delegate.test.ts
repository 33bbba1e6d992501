import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createAgentRunner, runnerSettingsFromConfig } from '../../../src/core/agents/createAgentRunner';
import { loadConfig } from '../../../src/core/config/loadConfig';
import { delegateTask, type DelegatedRun } from '../../../src/core/agents/delegate';
import { discoverAgents, findAgent } from '../../../src/core/agents/discoverAgents';
import { formatRunEvent, summarizeRun } from '../../../src/core/agents/runLog';
import { defaultSystemAgentsDir } from '../../../src/core/agents/systemAgents';
import { tempDir } from '../../helpers/tempDir';

describe('delegation', () => {
  it('hands a command runner the plain task and records the run from start to end', async () => {
    const root = await tempDir();
    const catalog = await discoverAgents({ projectRoot: root, homeDir: root, systemDir: defaultSystemAgentsDir() });
    const runner = createAgentRunner({ kind: 'command', claudePath: 'claude', commands: { qa: 'echo {task}' } });
    let started: DelegatedRun | undefined;
    const lines: string[] = [];
    const run = await delegateTask({ catalog, agent: findAgent(catalog, 'qa')!, runner, task: 'check it', ticketId: 'TSK-0001', cwd: root, onEvent: (e) => lines.push(...formatRunEvent('qa', e)) }, (r) => (started = r));
    assert.equal(started!.id, run.id);
    assert.equal(started!.result, undefined);
    assert.equal(run.result!.status, 'succeeded');
    assert.deepEqual(lines, ['[qa] check it']);
    assert.equal(run.ticketId, 'TSK-0001');
    assert.equal(run.tier, 'system');
    assert.ok(Date.parse(run.finishedAt!) >= Date.parse(run.startedAt));
  });

  it('labels log lines and summarises failures with reason and stderr tail', () => {
    assert.deepEqual(formatRunEvent('ops', { kind: 'tool_use', name: 'Bash', input: { command: 'ls' } }), ['[ops] → Bash {"command":"ls"}']);
    assert.deepEqual(formatRunEvent('ops', { kind: 'tool_result', isError: true, text: 'boom\nmore' }), ['[ops] ← error: boom']);
    assert.equal(formatRunEvent('ops', { kind: 'tool_use', name: 'Write', input: { content: 'x'.repeat(1000) } })[0]!.length < 330, true);
    const summary = summarizeRun('ops', { status: 'failed', exitCode: 2, output: '', durationMs: 1500, turns: 1, costUsd: 0.01234, error: 'it broke', stderrTail: 'line1\nline2\n', permissionDenials: [{ toolName: 'Bash' }] });
    assert.deepEqual(summary, ['[ops] failed in 1.5 s · 1 turn · $0.0123 · exit code 2', '[ops] permission denied for: Bash', '[ops] it broke', '[ops] stderr tail:', '[ops]   line1', '[ops]   line2']);
  });

  it('reads runner settings from the project config, editor templates winning per agent type', async () => {
    const root = await tempDir();
    await mkdir(join(root, '.claude-pm'));
    await writeFile(join(root, '.claude-pm', 'config.json'), JSON.stringify({ agents: { runner: 'command', permission_mode: 'plan', commands: { qa: 'npm test', ops: 'make deploy' } } }));
    const { config } = await loadConfig(root, { commandTemplates: { qa: 'pnpm test' } }, {});
    const settings = runnerSettingsFromConfig(config);
    assert.deepEqual(settings, { kind: 'command', claudePath: 'claude', commands: { qa: 'pnpm test', ops: 'make deploy' }, env: undefined, permissionMode: 'plan', toolServer: undefined });
    assert.equal(runnerSettingsFromConfig(config, { kind: 'claude' }).kind, 'claude');

    await writeFile(join(root, '.claude-pm', 'config.json'), JSON.stringify({ agents: { permission_mode: 'yolo', extra: 1 } }));
    const reloaded = await loadConfig(root, {}, {});
    assert.ok(reloaded.diagnostics.some((d) => d.key === 'agents.permission_mode'));
    assert.equal(runnerSettingsFromConfig(reloaded.config).permissionMode, 'acceptEdits');
  });
});

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { toDashboardHealth, toDashboardHistory } from '../../src/core/health/dashboardHealth';
import { runHealthCheck } from '../../src/core/health/healthCheck';
import { historyEntry } from '../../src/core/health/reportStore';
import { SystemMetricsSampler } from '../../src/core/health/systemMetrics';
import { dashboardSnapshotSchema, hostToWebviewSchema, webviewToHostSchema } from '../../src/shared/protocol';
import { closedPort, makeRepo } from '../core/health/fixtures';
import { tempDir } from '../helpers/tempDir';

describe('dashboard protocol', () => {
  it('carries a real health report as a valid snapshot', async () => {
    const repo = await makeRepo(join(await tempDir(), 'proj'));
    const report = await runHealthCheck({ services: [{ name: 'mem0ai_mcp', url: await closedPort(), critical: true, timeoutMs: 1000 }], projects: [repo], alertThreshold: 60 });
    const snapshot = {
      generatedAt: new Date().toISOString(),
      version: '0.1.0',
      health: toDashboardHealth(report),
      history: toDashboardHistory([historyEntry(report), historyEntry(report)]),
      counts: { tickets: { open: 3, completed: 1 }, runs: { active: 1, completed: 4, failed: 1 } },
      memoryBackend: { kind: 'mem0', state: 'down', queuedWrites: 2 },
      system: new SystemMetricsSampler().sample(),
    };
    const message = hostToWebviewSchema.parse({ type: 'snapshot', snapshot });
    assert.equal(message.type, 'snapshot');
    const health = dashboardSnapshotSchema.parse(snapshot).health!;
    assert.equal(health.score, report.summary.overall_health_percentage);
    assert.deepEqual(health.services.map((s) => [s.name, s.status, s.critical]), [['mem0ai_mcp', 'down', true]]);
    assert.equal(health.projects?.[0]?.branch, 'main');
    assert.ok(health.alerts.some((a) => a.level === 'critical'));
    assert.deepEqual(health.recommendations.find((r) => r.text.startsWith('Start mem0ai_mcp'))?.action, { command: 'claudePm.health.openConfig', title: 'Open Configuration' });
  });

  it('gives a recommendation that comes from a fixable compliance item the command that fixes it', async () => {
    const repo = await makeRepo(join(await tempDir(), 'proj'));
    const check = async () => [{ id: 'claude-md.present', title: 'CLAUDE.md deployed', passed: false, severity: 'error' as const, detail: 'missing', fixHint: 'Deploy the framework CLAUDE.md.', fixCommand: 'claudePm.templates.deploy' }];
    const health = toDashboardHealth(await runHealthCheck({ services: [], projects: [repo], checks: [check], alertThreshold: 60 }));
    assert.deepEqual(health.recommendations.find((r) => r.text === 'proj: Deploy the framework CLAUDE.md.')?.action, { command: 'claudePm.templates.deploy', title: 'Deploy CLAUDE.md' });
    assert.ok(health.recommendations.filter((r) => !r.text.includes('CLAUDE.md')).every((r) => r.action === undefined || r.action.command !== 'claudePm.templates.deploy'));
  });

  it('keeps only the newest history points', () => {
    const entries = Array.from({ length: 10 }, (_, i) => ({ timestamp: `2026-01-01T00:00:0${i}.000Z`, score: i * 10, status: 'healthy' as const, services: 100, projects: 100, compliance: 100 }));
    assert.deepEqual(toDashboardHistory(entries, 3).map((p) => p.score), [70, 80, 90]);
  });

  it('accepts the webview messages and rejects anything else', () => {
    assert.ok(webviewToHostSchema.safeParse({ type: 'ready' }).success);
    assert.ok(webviewToHostSchema.safeParse({ type: 'runCommand', command: 'claudePm.health.refresh' }).success);
    assert.equal(webviewToHostSchema.safeParse({ type: 'runCommand', command: 'workbench.action.terminal.sendSequence' }).success, false);
    assert.equal(webviewToHostSchema.safeParse({ type: 'eval', code: '1' }).success, false);
    // Only the commands the dashboard has buttons for: a compromised webview cannot, say, clear an API key.
    assert.equal(webviewToHostSchema.safeParse({ type: 'runCommand', command: 'claudePm.security.clearApiKey' }).success, false);
    assert.equal(webviewToHostSchema.safeParse({ type: 'refresh' }).success, false);
    assert.equal(hostToWebviewSchema.safeParse({ type: 'snapshot', snapshot: { generatedAt: 1 } }).success, false);
  });

  it('carries the runs, the workflow graph and daily costs, names included as plain text', () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const runs = {
      graph: { runId: 'r1', workflow: hostile, status: 'running', startedAt: '2026-11-29T10:00:00Z', steps: [{ name: hostile, agentType: 'qa', status: 'running', dependsOn: [], attempts: 1 }] },
      recent: [{ id: 'r1', title: hostile, kind: 'workflow', status: 'running', startedAt: '2026-11-29T10:00:00Z' }],
      today: '2026-11-29',
      costsSince: '2026-09-01',
      costs: [{ day: '2026-11-29', agentType: 'qa', costUsd: 0.25 }],
    };
    const message = hostToWebviewSchema.parse({ type: 'runs', runs });
    assert.equal(message.type === 'runs' && message.runs.graph?.steps[0]?.name, hostile);
    assert.equal(hostToWebviewSchema.safeParse({ type: 'runs', runs: { ...runs, recent: [{ ...runs.recent[0], status: 'exploded' }] } }).success, false);
    assert.equal(hostToWebviewSchema.safeParse({ type: 'runs', runs: { ...runs, costs: [{ day: 'today', agentType: 'qa', costUsd: 1 }] } }).success, false);
    assert.equal(hostToWebviewSchema.safeParse({ type: 'runs', runs: { ...runs, costs: [{ day: '2026-11-29', agentType: 'qa', costUsd: -1 }] } }).success, false);
  });

  it('accepts a request to reveal a run or step, bounded, and nothing that runs', () => {
    assert.ok(webviewToHostSchema.safeParse({ type: 'revealRun', runId: '20261129-100000-checks-ab12' }).success);
    assert.ok(webviewToHostSchema.safeParse({ type: 'revealRun', runId: 'r1', step: '<img src=x onerror=alert(1)>' }).success);
    assert.equal(webviewToHostSchema.safeParse({ type: 'revealRun', runId: '' }).success, false);
    assert.equal(webviewToHostSchema.safeParse({ type: 'revealRun', runId: 'x'.repeat(201) }).success, false);
    assert.equal(webviewToHostSchema.safeParse({ type: 'revealRun', runId: 42 }).success, false);
  });
});

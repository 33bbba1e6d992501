import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { healthReportSchema, monitorReportSchema } from '../../src/core/health/reportSchema';
import { ALERTS_FILE, HISTORY_FILE, REPORT_FILE } from '../../src/core/health/reportStore';
import { cli } from '../helpers/runCli';
import { tempDir } from '../helpers/tempDir';
import { closedPort, git, httpServer, makeRepo } from '../core/health/fixtures';

interface Workspace {
  root: string;
  env: NodeJS.ProcessEnv;
}

/** A framework workspace: git repo with the layout, a tracker and a deployed CLAUDE.md, probing `services`. */
async function workspace(services: { name: string; url: string; critical?: boolean; timeout_ms?: number }[]): Promise<Workspace> {
  const home = await tempDir();
  const root = await makeRepo(join(home, 'ws'));
  await mkdir(join(root, 'tasks'));
  await writeFile(join(root, '.claude-pm', 'config.json'), JSON.stringify({ health: { disable_default_services: true, services } }));
  await git(root, 'add', '-A');
  await git(root, 'commit', '-q', '-m', 'config');
  const env = { PATH: process.env.PATH, HOME: home };
  const deploy = await cli(['deploy'], { cwd: root, env });
  assert.equal(deploy.code, 0, deploy.stderr);
  return { root, env };
}

describe('claude-pm health', () => {
  it('prints the report as JSON, writes --output and the logs, and exits 0 when healthy', async () => {
    const ok = await httpServer('ok');
    const ws = await workspace([{ name: 'api', url: `${ok}/health`, critical: true }]);
    const result = await cli(['health', '--format', 'json', '--output', 'out/health-report.json'], { cwd: ws.root, env: ws.env });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const report = healthReportSchema.parse(JSON.parse(result.stdout));
    assert.equal(report.summary.status, 'healthy');
    assert.ok(report.summary.overall_health_percentage >= 90);
    assert.equal(report.services.api?.status, 'healthy');
    assert.equal(typeof report.services.api?.response_time, 'number');
    assert.equal(report.projects.ws?.git?.branch, 'main');
    assert.ok(report.framework.compliance_percentage >= 80);
    assert.ok(Array.isArray(report.alerts) && Array.isArray(report.recommendations));
    assert.deepEqual(report.counts?.runs, { active: 0, completed: 0, failed: 0 });
    assert.equal(report.counts?.tickets?.total, 0);
    assert.ok((report.counts?.agents?.total ?? 0) > 0, 'the built-in agents are counted');
    const written = healthReportSchema.parse(JSON.parse(await readFile(join(ws.root, 'out', 'health-report.json'), 'utf8')));
    assert.equal(written.timestamp, report.timestamp);
    assert.equal(healthReportSchema.parse(JSON.parse(await readFile(join(ws.root, REPORT_FILE), 'utf8'))).timestamp, report.timestamp);
    assert.equal(JSON.parse(await readFile(join(ws.root, HISTORY_FILE), 'utf8')).entries.length, 1);
  });

  it('exits 1 and alerts when a critical service is down', async () => {
    const [ok, hanging] = await Promise.all([httpServer('ok'), httpServer('hang')]);
    const ws = await workspace([
      { name: 'api', url: `${ok}/health` },
      { name: 'mem0', url: `${await closedPort()}/health`, critical: true },
      { name: 'slow', url: `${hanging}/health`, timeout_ms: 300 },
    ]);
    const result = await cli(['health', '--format', 'json'], { cwd: ws.root, env: ws.env });
    assert.equal(result.code, 1);
    const report = healthReportSchema.parse(JSON.parse(result.stdout));
    assert.equal(report.services.mem0?.status, 'down');
    assert.equal(report.services.slow?.status, 'down');
    assert.equal(report.summary.service_health_percentage, 33);
    assert.notEqual(report.summary.status, 'healthy');
    assert.ok(report.alerts.some((a) => a.level === 'critical' && a.data.service === 'mem0'));
    assert.ok(report.alerts.some((a) => a.level === 'warning' && a.data.service === 'slow'));
  });

  it('prints a readable text report by default', async () => {
    const ws = await workspace([{ name: 'mem0', url: `${await closedPort()}/health`, critical: true }]);
    const result = await cli(['health'], { cwd: ws.root, env: ws.env });
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^Health \d+% \((degraded|critical)\)/);
    assert.match(result.stdout, /\[x\] mem0 \(critical\): down: connection refused/);
    assert.match(result.stdout, /CRITICAL: Critical service mem0 is down/);
  });
});

describe('claude-pm monitor', () => {
  it('writes one sample per interval to --output', async () => {
    const ok = await httpServer('ok');
    const ws = await workspace([{ name: 'api', url: ok }]);
    const result = await cli(['monitor', '--duration', '0.4', '--interval', '0.2', '--output', 'monitoring-report.json', '--format', 'json'], { cwd: ws.root, env: ws.env });
    assert.equal(result.code, 0, result.stderr);
    const report = monitorReportSchema.parse(JSON.parse(await readFile(join(ws.root, 'monitoring-report.json'), 'utf8')));
    assert.ok(report.samples.length >= 2 && report.samples.length <= 3, `samples: ${report.samples.length}`);
    assert.equal(report.summary.samples, report.samples.length);
    assert.equal(report.samples[0]!.services.api, 'healthy');
    assert.equal(report.summary.worst_status, 'healthy');
    assert.deepEqual(JSON.parse(result.stdout).summary, report.summary);
  });

  it('rejects a missing or invalid duration with exit 2', async () => {
    const root = await tempDir();
    assert.equal((await cli(['monitor'], { cwd: root })).code, 2);
    const bad = await cli(['monitor', '--duration', 'soon'], { cwd: root });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--duration must be a positive number/);
  });
});

describe('claude-pm alerts / reports', () => {
  it('list what a real monitor run wrote: every check, and its alerts folded per cause', async () => {
    const down = await closedPort();
    const ws = await workspace([{ name: 'billing', url: down, critical: true, timeout_ms: 500 }]);
    const monitor = await cli(['monitor', '--duration', '0.4', '--interval', '0.2'], { cwd: ws.root, env: ws.env });
    assert.equal(monitor.code, 1, monitor.stderr);
    const checks = JSON.parse(await readFile(join(ws.root, HISTORY_FILE), 'utf8')).entries.length as number;
    assert.ok(checks >= 2, `checks: ${checks}`);

    const alerts = await cli(['alerts', '--since', '1h', '--format', 'json'], { cwd: ws.root, env: ws.env });
    assert.equal(alerts.code, 0, alerts.stderr);
    const listed = JSON.parse(alerts.stdout);
    assert.deepEqual(listed.alerts, JSON.parse(await readFile(join(ws.root, ALERTS_FILE), 'utf8')).entries);
    const billing = listed.repeated.find((a: { message: string }) => /Critical service billing is down/.test(a.message));
    assert.equal(billing.count, checks, JSON.stringify(listed.repeated));
    assert.equal(billing.level, 'critical');

    const text = await cli(['alerts', '--since', '30m'], { cwd: ws.root, env: ws.env });
    assert.match(text.stdout, new RegExp(`^${listed.count} alerts since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC:\\n`));
    assert.match(text.stdout, new RegExp(`  CRITICAL Critical service billing is down[^\\n]*\\n {11}raised by ${checks} checks from .* UTC to .* UTC`));
    assert.doesNotMatch(text.stdout, /\(s\)/);

    const reports = await cli(['reports', '--limit', '1', '--format', 'json'], { cwd: ws.root, env: ws.env });
    const json = JSON.parse(reports.stdout);
    assert.equal(json.total, checks);
    assert.equal(json.reports.length, 1);
    assert.equal(json.latest_report, join(ws.root, REPORT_FILE));
    assert.equal(json.reports[0].timestamp, healthReportSchema.parse(JSON.parse(await readFile(join(ws.root, REPORT_FILE), 'utf8'))).timestamp);
    assert.ok(json.reports[0].alerts >= 1);
    const all = await cli(['reports'], { cwd: ws.root, env: ws.env });
    assert.match(all.stdout, new RegExp(`Latest full report: .*health-report\\.json\\n${checks} checks, newest first:\\n  \\d{4}-.* UTC +\\d+% (critical|degraded) +projects \\d+%, services 0%, compliance \\d+%, \\d+ alerts?\\n`));
  });

  it('an alert older than --since is left out; nothing recorded yet reads plainly', async () => {
    const root = await tempDir();
    await mkdir(join(root, '.claude-pm', 'logs'), { recursive: true });
    const old = new Date(Date.now() - 3 * 3_600_000).toISOString();
    await writeFile(join(root, ALERTS_FILE), JSON.stringify({ version: 1, entries: [{ timestamp: old, level: 'warning', message: 'Framework compliance 70% is below 80%', data: {} }] }));
    const recent = await cli(['alerts', '--since', '1h'], { cwd: root });
    assert.match(recent.stdout, /^No alerts since .* UTC\.\n$/);
    const wider = await cli(['alerts', '--since', '1d', '--format', 'json'], { cwd: root });
    assert.equal(JSON.parse(wider.stdout).count, 1);
    assert.match((await cli(['reports'], { cwd: root })).stdout, /^No health checks recorded yet: run claude-pm health/);
  });

  it('rejects a --since or --limit it cannot read with exit 2', async () => {
    const root = await tempDir();
    const since = await cli(['alerts', '--since', 'yesterday'], { cwd: root });
    assert.equal(since.code, 2);
    assert.match(since.stderr, /--since takes a duration such as 30m, 1h, 2d or 1w, not 'yesterday'/);
    assert.equal((await cli(['reports', '--limit', '0'], { cwd: root })).code, 2);
  });
});

describe('claude-pm diagnose', () => {
  it('reports each step with cause and fix, exit 1 when something fails', async () => {
    const root = await tempDir();
    const url = await closedPort();
    await mkdir(join(root, '.claude-pm'));
    await writeFile(join(root, '.claude-pm', 'config.json'), JSON.stringify({ memory_service: { backend: 'mem0', url } }));
    const result = await cli(['diagnose', '--format', 'json'], { cwd: root, env: { PATH: '', HOME: root, CLAUDE_PM_CLAUDE_PATH: join(root, 'missing-claude') } });
    assert.equal(result.code, 1);
    const report = JSON.parse(result.stdout) as { ok: boolean; memory: { steps: { id: string; status: string; cause?: string }[] }; agents: { steps: { id: string; status: string }[] } };
    assert.equal(report.ok, false);
    assert.equal(report.memory.steps.find((s) => s.id === 'memory.tcp')?.status, 'fail');
    assert.equal(report.agents.steps.find((s) => s.id === 'agents.cli')?.status, 'fail');
    assert.ok(report.agents.steps.find((s) => s.id === 'agents.discovery'));
  });

  it('exits 0 with the embedded backend and a working CLI, and never prints the key', async () => {
    const root = await tempDir();
    const fake = join(root, 'claude');
    await writeFile(fake, '#!/bin/sh\necho "2.1.197 (Claude Code)"\n');
    await chmod(fake, 0o755);
    const result = await cli(['diagnose'], { cwd: root, env: { PATH: process.env.PATH, HOME: root, CLAUDE_PM_CLAUDE_PATH: fake, MEM0AI_API_KEY: 'm0sk_secret_value_123456789' } });
    assert.match(result.stdout, /\[ok\] Claude CLI: .*2\.1\.197/);
    assert.match(result.stdout, /embedded backend/);
    assert.doesNotMatch(result.stdout + result.stderr, /m0sk_secret/);
    assert.equal(result.code, result.stdout.includes('[x]') ? 1 : 0);
  });
});

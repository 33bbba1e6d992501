import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ComplianceCheck } from '../../../src/core/common/compliance';
import { loadConfig } from '../../../src/core/config/loadConfig';
import { optionsFromConfig, runHealthCheck } from '../../../src/core/health/healthCheck';
import { healthReportSchema } from '../../../src/core/health/reportSchema';
import { ALERTS_FILE, appendHistory, HISTORY_FILE, historyEntry, loadAlerts, loadHistory, REPORT_FILE, saveReport } from '../../../src/core/health/reportStore';
import { overallScore } from '../../../src/core/health/score';
import { tempDir } from '../../helpers/tempDir';
import { closedPort, httpServer, makeRepo } from './fixtures';

const claudeMdCheck: ComplianceCheck = async (root) => [
  { id: 'claude-md.present', title: 'CLAUDE.md', passed: root.endsWith('good'), severity: 'error', detail: 'd', fixHint: 'Deploy CLAUDE.md.', fixCommand: 'claudePm.templates.deploy' },
];
const throwingCheck: ComplianceCheck = async () => {
  throw new Error('tracker exploded with api_key=sk-ant-abcdefghijklmnop');
};

describe('runHealthCheck', () => {
  it('scores services, projects and compliance into a report matching the schema', async () => {
    const root = await tempDir();
    const good = await makeRepo(join(root, 'good'));
    const bad = await makeRepo(join(root, 'bad'), { layout: false });
    await writeFile(join(bad, 'README.md'), 'dirty\n');
    const [ok, closed] = await Promise.all([httpServer('ok'), closedPort()]);
    const report = await runHealthCheck({
      services: [
        { name: 'mem0ai_mcp', url: `${closed}/health`, critical: true, timeoutMs: 1000 },
        { name: 'dash', url: `${ok}/`, critical: false, timeoutMs: 1000 },
      ],
      projects: [good, bad, good],
      checks: [claudeMdCheck],
      alertThreshold: 60,
      counts: { tickets: { open: 2 } },
    });
    assert.ok(healthReportSchema.safeParse(report).success);
    assert.equal(report.services.mem0ai_mcp?.status, 'down');
    assert.equal(report.services.dash?.status, 'healthy');
    assert.equal(report.summary.service_health_percentage, 50);
    assert.equal(report.summary.total_projects, 2, 'duplicate project paths are checked once');

    const goodP = report.projects.good!;
    const badP = report.projects.bad!;
    assert.equal(goodP.status, 'healthy');
    assert.equal(goodP.git?.branch, 'main');
    assert.equal(badP.git?.dirtyFiles, 1);
    assert.ok(badP.issues.includes('1 uncommitted change'));
    // bad fails the layout folder (weight 3), sub-folders (1) and CLAUDE.md (3); config (3) and README (1) pass: 4/11.
    assert.equal(badP.metrics.compliance_percentage, Math.round((4 / 11) * 100));
    assert.equal(badP.status, 'critical');
    assert.equal(report.summary.project_health_percentage, 50);
    assert.equal(report.framework.compliance_percentage, Math.round((15 / 22) * 100));
    assert.equal(report.summary.overall_health_percentage, overallScore(50, 50, report.framework.compliance_percentage));
    assert.equal(report.summary.status, 'critical');
    assert.deepEqual(report.counts, { tickets: { open: 2 } });

    assert.ok(report.alerts.some((a) => a.level === 'critical' && a.data.service === 'mem0ai_mcp'));
    assert.ok(report.alerts.some((a) => a.level === 'critical' && a.data.project === 'bad'));
    assert.ok(report.alerts.some((a) => a.level === 'warning' && a.data.compliance === report.framework.compliance_percentage));
    assert.ok(report.recommendations.includes('bad: Deploy CLAUDE.md.'));
  });

  it('turns a throwing compliance check into a failed, redacted item instead of failing the run', async () => {
    const root = await makeRepo(join(await tempDir(), 'good'));
    const report = await runHealthCheck({ services: [], projects: [root], checks: [throwingCheck], alertThreshold: 60 });
    const failed = report.projects.good!.compliance.find((i) => i.id.startsWith('check.failed'));
    assert.ok(failed);
    assert.equal(failed.passed, false);
    assert.match(failed.detail, /tracker exploded/);
    assert.doesNotMatch(failed.detail, /sk-ant-abcdefghijklmnop/);
  });

  it('marks a missing project folder critical and a healthy setup healthy at 100', async () => {
    const root = await tempDir();
    const good = await makeRepo(join(root, 'good'));
    const ok = await httpServer('ok');
    const report = await runHealthCheck({ services: [{ name: 'api', url: ok, critical: true, timeoutMs: 1000 }], projects: [good], alertThreshold: 60 });
    assert.equal(report.summary.overall_health_percentage, 100);
    assert.equal(report.summary.status, 'healthy');
    assert.deepEqual(report.alerts, []);
    const missing = await runHealthCheck({ services: [], projects: [join(root, 'gone')], alertThreshold: 60 });
    assert.equal(missing.projects.gone?.status, 'critical');
  });

  it('builds options from the config: user services, disabled defaults and extra projects', async () => {
    const root = await tempDir();
    await makeRepo(join(root, 'ws'));
    await writeFile(join(root, 'ws', '.claude-pm', 'config.json'), JSON.stringify({ health: { disable_default_services: true, services: [{ name: 'api', url: 'http://127.0.0.1:9/' }], projects: ['../other'], alert_threshold: 75 } }));
    const { config } = await loadConfig(join(root, 'ws'), {}, {});
    const options = await optionsFromConfig(config, [join(root, 'extra')]);
    assert.deepEqual(options.services.map((s) => [s.name, s.critical, s.timeoutMs]), [['api', false, 5000]]);
    assert.deepEqual(options.projects, [join(root, 'ws'), join(root, 'extra'), join(root, 'other')]);
    assert.equal(options.alertThreshold, 75);
  });
});

describe('report store', () => {
  it('writes the report and a bounded history atomically', async () => {
    const root = await makeRepo(join(await tempDir(), 'good'));
    const report = await runHealthCheck({ services: [], projects: [root], alertThreshold: 60 });
    for (let i = 0; i < 5; i++) await saveReport(root, { ...report, timestamp: `2026-01-0${i + 1}T00:00:00.000Z` }, 3);
    const written = healthReportSchema.parse(JSON.parse(await readFile(join(root, REPORT_FILE), 'utf8')));
    assert.equal(written.timestamp, '2026-01-05T00:00:00.000Z');
    const history = await loadHistory(root);
    assert.deepEqual(history.map((h) => h.timestamp.slice(0, 10)), ['2026-01-03', '2026-01-04', '2026-01-05']);
    assert.equal(history[0]!.score, report.summary.overall_health_percentage);
    assert.deepEqual((await readdir(join(root, '.claude-pm', 'logs'))).filter((f) => f.endsWith('.tmp')), []);
  });

  it('moves a corrupt history aside instead of losing it', async () => {
    const root = await makeRepo(join(await tempDir(), 'good'));
    await writeFile(join(root, HISTORY_FILE), '{ not json');
    assert.deepEqual(await loadHistory(root), []);
    const files = await readdir(join(root, '.claude-pm', 'logs'));
    const aside = files.find((f) => f.startsWith('health-history.json.corrupt-'));
    assert.ok(aside);
    assert.equal(await readFile(join(root, '.claude-pm', 'logs', aside), 'utf8'), '{ not json');
  });

  it('appendHistory keeps the newest entries', () => {
    const entry = (n: number) => ({ timestamp: String(n), score: n, status: 'healthy' as const, services: 1, projects: 1, compliance: 1 });
    const list = [1, 2, 3].reduce((acc, n) => appendHistory(acc, entry(n), 2), [] as ReturnType<typeof appendHistory>);
    assert.deepEqual(list.map((e) => e.score), [2, 3]);
  });

  it('historyEntry takes the summary figures', () => {
    const e = historyEntry({ timestamp: 't', summary: { overall_health_percentage: 80, status: 'degraded', service_health_percentage: 50, project_health_percentage: 100, framework_compliance: 90 }, alerts: [{}, {}] } as never);
    assert.deepEqual(e, { timestamp: 't', score: 80, status: 'degraded', services: 50, projects: 100, compliance: 90, alerts: 2 });
  });

  it('keeps the alerts of every check in a bounded log, redacted, and moves a corrupt log aside', async () => {
    const root = await makeRepo(join(await tempDir(), 'good'));
    const report = await runHealthCheck({ services: [], projects: [root], alertThreshold: 60 });
    const secret = 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789';
    const alert = (n: number) => ({ timestamp: `2026-01-0${n}T00:00:00.000Z`, level: 'critical' as const, message: `check ${n} with Bearer ${secret}`, data: { n } });
    await writeFile(join(root, ALERTS_FILE), '[1, 2');
    await saveReport(root, { ...report, alerts: [] });
    assert.deepEqual(await loadAlerts(root), []);
    assert.ok((await readdir(join(root, '.claude-pm', 'logs'))).some((f) => f.startsWith('health-alerts.json.corrupt-')));
    for (let n = 1; n <= 4; n++) await saveReport(root, { ...report, alerts: [alert(n)] }, 10, 3);
    const kept = await loadAlerts(root);
    assert.deepEqual(kept.map((a) => a.data.n), [2, 3, 4]);
    assert.ok(kept.every((a) => !a.message.includes(secret)), JSON.stringify(kept));
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { ProjectResult, ServiceResult } from '../../../src/core/health/reportSchema';
import { buildAlerts, buildRecommendations, overallScore, overallStatus, projectHealthPercentage, serviceHealthPercentage } from '../../../src/core/health/score';

function service(name: string, status: ServiceResult['status'], critical = false): ServiceResult {
  return { name, url: `http://127.0.0.1/${name}`, critical, status, timestamp: 't', error: status === 'healthy' ? null : 'x', response_time: 10, http_status: 200, performance: 'excellent' };
}

function project(name: string, status: ProjectResult['status'], issues: string[] = []): ProjectResult {
  return { name, path: `/p/${name}`, status, issues, metrics: { compliance_percentage: 100, dirty_files: 0, days_since_last_commit: 0 }, last_check: 't', git: null, compliance: [] };
}

describe('health score', () => {
  it('weights projects 40%, services 35% and compliance 25%', () => {
    assert.equal(overallScore(100, 100, 100), 100);
    assert.equal(overallScore(100, 0, 0), 40);
    assert.equal(overallScore(0, 100, 0), 35);
    assert.equal(overallScore(0, 0, 100), 25);
    assert.equal(overallScore(50, 75, 80), Math.round(20 + 26.25 + 20));
  });

  it('maps the score to healthy ≥ 90, degraded ≥ 70, critical below', () => {
    assert.equal(overallStatus(100), 'healthy');
    assert.equal(overallStatus(90), 'healthy');
    assert.equal(overallStatus(89), 'degraded');
    assert.equal(overallStatus(70), 'degraded');
    assert.equal(overallStatus(69), 'critical');
  });

  it('gives half credit to degraded services and warning projects, none to down ones', () => {
    assert.equal(serviceHealthPercentage([service('a', 'healthy'), service('b', 'degraded'), service('c', 'down'), service('d', 'error')]), 38);
    assert.equal(projectHealthPercentage([project('a', 'healthy'), project('b', 'warning')]), 75);
    assert.equal(serviceHealthPercentage([]), 100);
    assert.equal(projectHealthPercentage([]), 100);
  });

  it('always stays within 0–100 and never drops when a part improves', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), (p, s, c, bump) => {
        const score = overallScore(p, s, c);
        assert.ok(score >= 0 && score <= 100);
        assert.ok(overallScore(Math.min(100, p + bump), s, c) >= score);
      }),
    );
  });
});

describe('alerts', () => {
  const timestamp = '2026-01-01T00:00:00.000Z';

  it('raises critical alerts for a critical service down, a low score, a critical project and compliance below 50', () => {
    const alerts = buildAlerts({
      score: 40,
      threshold: 60,
      compliance: 45,
      services: [service('mem0ai_mcp', 'down', true), service('dash', 'healthy')],
      projects: [project('app', 'critical', ['2 files with merge conflicts'])],
      timestamp,
    });
    assert.deepEqual(alerts.map((a) => a.level), ['critical', 'critical', 'critical', 'critical']);
    assert.ok(alerts.some((a) => /mem0ai_mcp/.test(a.message) && a.data.service === 'mem0ai_mcp'));
    assert.ok(alerts.some((a) => /below the alert threshold of 60%/.test(a.message)));
    assert.ok(alerts.some((a) => /app is critical: 2 files with merge conflicts/.test(a.message)));
    assert.ok(alerts.some((a) => /compliance 45% is below 50%/.test(a.message)));
    assert.ok(alerts.every((a) => a.timestamp === timestamp));
  });

  it('warns for a non-critical service down and compliance below 80, critical first', () => {
    const alerts = buildAlerts({ score: 85, threshold: 60, compliance: 70, services: [service('dash', 'error'), service('mem0ai_mcp', 'down', true)], projects: [project('app', 'warning')], timestamp });
    assert.deepEqual(alerts.map((a) => [a.level, a.data.service ?? a.data.compliance]), [
      ['critical', 'mem0ai_mcp'],
      ['warning', 'dash'],
      ['warning', 70],
    ]);
  });

  it('raises nothing when everything is fine', () => {
    assert.deepEqual(buildAlerts({ score: 100, threshold: 60, compliance: 100, services: [service('a', 'healthy'), service('b', 'degraded')], projects: [project('p', 'healthy')], timestamp }), []);
  });
});

describe('recommendations', () => {
  it('names what to do for services, compliance items and git state, without duplicates', () => {
    const p = project('app', 'warning');
    p.compliance = [
      { id: 'x', title: 'X', passed: false, severity: 'error', detail: 'd', fixHint: 'Deploy CLAUDE.md.' },
      { id: 'y', title: 'Y', passed: false, severity: 'error', detail: 'd', fixHint: 'Deploy CLAUDE.md.' },
      { id: 'z', title: 'Z', passed: true, severity: 'error', detail: 'd', fixHint: 'never shown' },
    ];
    p.git = { branch: null, detached: true, tracking: 'origin/main', ahead: 0, behind: 3, dirtyFiles: 0, conflicts: [], lastCommit: null, daysSinceLastCommit: null };
    const recs = buildRecommendations([service('mem0ai_mcp', 'down', true), service('ok', 'healthy')], [p]);
    assert.deepEqual(recs, [
      'Start mem0ai_mcp (http://127.0.0.1/mem0ai_mcp) or remove it from health.services in .claude-pm/config.json',
      'app: Deploy CLAUDE.md.',
      'app: check out a branch (HEAD is detached)',
      'app: pull the 3 commits from origin/main',
    ]);
  });
});

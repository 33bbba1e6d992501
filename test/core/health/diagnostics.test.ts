import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig, type ResolvedConfig } from '../../../src/core/config/loadConfig';
import { runDiagnostics, type DiagnosticStep } from '../../../src/core/health/diagnostics';
import { tempDir } from '../../helpers/tempDir';
import { closedPort, httpServer } from './fixtures';

async function configFor(memoryUrl: string | undefined, backend: 'embedded' | 'mem0', claudePath = '/nonexistent/claude'): Promise<ResolvedConfig> {
  const { config } = await loadConfig(await tempDir(), { memoryUrl, memoryBackend: backend, claudePath }, {});
  return config;
}

function step(steps: DiagnosticStep[], id: string): DiagnosticStep {
  const found = steps.find((s) => s.id === id);
  assert.ok(found, `step ${id}`);
  return found;
}

describe('diagnostics: memory', () => {
  it('passes every memory step against a healthy server that accepts the key', async () => {
    const url = await httpServer('unauthorized');
    const report = await runDiagnostics({ config: await configFor(url, 'mem0'), apiKey: 'm0sk_test_key_1234567890' });
    assert.deepEqual(report.memory.steps.map((s) => [s.id, s.status]), [
      ['memory.service', 'pass'],
      ['memory.tcp', 'pass'],
      ['memory.auth', 'pass'],
      ['memory.latency', 'pass'],
    ]);
    assert.equal((step(report.memory.steps, 'memory.latency').data?.samples as number[]).length, 3);
    assert.doesNotMatch(JSON.stringify(report), /m0sk_test_key/);
  });

  it('explains a missing key when the server requires one', async () => {
    const url = await httpServer('unauthorized');
    const report = await runDiagnostics({ config: await configFor(url, 'mem0') });
    const auth = step(report.memory.steps, 'memory.auth');
    assert.equal(auth.status, 'fail');
    assert.match(auth.cause!, /requires an API key and none is set/);
    assert.match(auth.fix!, /MEM0AI_API_KEY/);
    assert.equal(report.ok, false);
  });

  it('explains a service that is not running', async () => {
    const url = await closedPort();
    const report = await runDiagnostics({ config: await configFor(url, 'mem0') });
    const tcp = step(report.memory.steps, 'memory.tcp');
    assert.equal(tcp.status, 'fail');
    assert.match(tcp.cause!, /nothing is listening/);
    assert.equal(step(report.memory.steps, 'memory.service').status, 'fail');
    assert.equal(step(report.memory.steps, 'memory.auth').status, 'skip');
    assert.equal(step(report.memory.steps, 'memory.latency').status, 'skip');
  });

  it('explains a hung service: the port accepts but nothing answers', async () => {
    const url = await httpServer('hang');
    const report = await runDiagnostics({ config: await configFor(url, 'mem0'), timeoutMs: 300 });
    const service = step(report.memory.steps, 'memory.service');
    assert.equal(service.status, 'fail');
    assert.match(service.cause!, /hung or overloaded/);
    assert.equal(step(report.memory.steps, 'memory.tcp').status, 'pass');
  });

  it('explains a 500 from the health endpoint', async () => {
    const url = await httpServer('error500');
    const report = await runDiagnostics({ config: await configFor(url, 'mem0') });
    const service = step(report.memory.steps, 'memory.service');
    assert.equal(service.status, 'fail');
    assert.match(service.cause!, /internal error/);
  });

  it('needs no service for the embedded backend', async () => {
    const report = await runDiagnostics({ config: await configFor(undefined, 'embedded') });
    assert.deepEqual(report.memory.steps.map((s) => [s.id, s.status]), [['memory.backend', 'pass']]);
  });
});

describe('diagnostics: agents', () => {
  it('finds the CLI and its version, counts agents per tier and computes the failure rate', async () => {
    const dir = await tempDir();
    const fake = join(dir, 'claude');
    await writeFile(fake, '#!/bin/sh\necho "2.1.197 (Claude Code)"\n');
    await chmod(fake, 0o755);
    const report = await runDiagnostics({
      config: await configFor(undefined, 'embedded', fake),
      discoverAgents: async () => ({ project: 1, user: 0, system: 9 }),
      recentRuns: async () => [{ status: 'completed' }, { status: 'failed' }, { status: 'completed' }, { status: 'running' }],
    });
    const cli = step(report.agents.steps, 'agents.cli');
    assert.equal(cli.status, 'pass');
    assert.match(cli.detail, /claude 2\.1\.197$/);
    assert.equal(step(report.agents.steps, 'agents.discovery').detail, 'project: 1, user: 0, system: 9');
    const failures = step(report.agents.steps, 'agents.failures');
    assert.equal(failures.status, 'warn');
    assert.deepEqual(failures.data, { failed: 1, finished: 3, failure_rate: 33 });
    assert.equal(report.ok, true);
  });

  it('explains a missing CLI, no agents and a high failure rate', async () => {
    const report = await runDiagnostics({
      config: await configFor(undefined, 'embedded'),
      discoverAgents: async () => ({ project: 0, system: 0 }),
      recentRuns: async () => [{ status: 'failed' }, { status: 'timeout' }, { status: 'completed' }],
    });
    const cli = step(report.agents.steps, 'agents.cli');
    assert.equal(cli.status, 'fail');
    assert.match(cli.cause!, /not installed or not on PATH/);
    assert.match(cli.fix!, /claudePm\.agents\.claudePath/);
    assert.equal(step(report.agents.steps, 'agents.discovery').status, 'fail');
    assert.equal(step(report.agents.steps, 'agents.failures').status, 'fail');
    assert.equal(report.ok, false);
  });

  it('skips what is not available', async () => {
    const report = await runDiagnostics({ config: await configFor(undefined, 'embedded') });
    assert.equal(step(report.agents.steps, 'agents.discovery').status, 'skip');
    assert.equal(step(report.agents.steps, 'agents.failures').status, 'skip');
  });
});

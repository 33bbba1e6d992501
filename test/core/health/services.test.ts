import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { displayUrl, isFrameworkTree, MEM0_SERVICE, performanceBand, PORTFOLIO_SERVICES, probeServices, resolveServices } from '../../../src/core/health/services';
import { closedPort, httpServer } from './fixtures';

describe('service probes', () => {
  it('classifies healthy, 500, hanging and closed-port services in one parallel run', async () => {
    const [ok, failing, hanging, closed] = await Promise.all([httpServer('ok'), httpServer('error500'), httpServer('hang'), closedPort()]);
    const results = await probeServices([
      { name: 'ok', url: `${ok}/health`, critical: true, timeoutMs: 2000 },
      { name: 'failing', url: `${failing}/health`, critical: false, timeoutMs: 2000 },
      { name: 'hanging', url: `${hanging}/health`, critical: true, timeoutMs: 300 },
      { name: 'closed', url: `${closed}/health`, critical: false, timeoutMs: 2000 },
    ]);
    const byName = Object.fromEntries(results.map((r) => [r.name, r]));
    assert.equal(byName.ok!.status, 'healthy');
    assert.equal(byName.ok!.http_status, 200);
    assert.equal(byName.ok!.error, null);
    assert.ok(typeof byName.ok!.response_time === 'number' && byName.ok!.response_time >= 0);
    assert.equal(byName.ok!.performance, performanceBand(byName.ok!.response_time));

    assert.equal(byName.failing!.status, 'error');
    assert.equal(byName.failing!.http_status, 500);
    assert.match(byName.failing!.error!, /HTTP 500/);

    assert.equal(byName.hanging!.status, 'down');
    assert.match(byName.hanging!.error!, /no answer within 300 ms/);
    assert.equal(byName.hanging!.response_time, null);

    assert.equal(byName.closed!.status, 'down');
    assert.match(byName.closed!.error!, /refused/);
  });

  it('reports a malformed or unresolvable URL as an error without throwing', async () => {
    const [result] = await probeServices([{ name: 'bad', url: 'http://no-such-host.invalid:1/', critical: false, timeoutMs: 2000 }]);
    assert.equal(result!.status, 'error');
    assert.ok(result!.error);
  });

  it('never reports credentials embedded in a service URL', async () => {
    const ok = await httpServer('ok');
    const [result] = await probeServices([{ name: 'auth', url: ok.replace('http://', 'http://admin:hunter2@'), critical: false, timeoutMs: 2000 }]);
    assert.equal(result!.status, 'healthy');
    assert.doesNotMatch(JSON.stringify(result), /hunter2|admin/);
    assert.equal(displayUrl('not a url'), 'not a url');
  });

  it('puts response times into the monitor bands', () => {
    assert.equal(performanceBand(0), 'excellent');
    assert.equal(performanceBand(99), 'excellent');
    assert.equal(performanceBand(100), 'good');
    assert.equal(performanceBand(499), 'good');
    assert.equal(performanceBand(500), 'acceptable');
    assert.equal(performanceBand(1999), 'acceptable');
    assert.equal(performanceBand(2000), 'slow');
  });
});

describe('resolveServices', () => {
  const embedded = { backend: 'embedded' as const, baseUrl: 'http://localhost:8002' };
  const context = { user: [], disableDefaults: false, memory: embedded, frameworkTree: false };

  it('expects no framework service from a project on the embedded store outside the framework tree', () => {
    assert.deepEqual(resolveServices(context), []);
  });

  it('checks mem0 as critical at the configured memory address when memory lives there', () => {
    const services = resolveServices({ ...context, memory: { backend: 'mem0', baseUrl: 'http://10.0.0.5:9000' } });
    assert.deepEqual(services, [{ ...MEM0_SERVICE, url: 'http://10.0.0.5:9000/health' }]);
  });

  it('checks the portfolio services in the framework tree, none of them critical', () => {
    const services = resolveServices({ ...context, frameworkTree: true });
    assert.deepEqual(services.map((s) => s.name), PORTFOLIO_SERVICES.map((s) => s.name));
    assert.ok(services.every((s) => !s.critical));
  });

  it('lets a user entry replace the framework service of the same name and adds new ones', () => {
    const services = resolveServices({
      ...context,
      memory: { backend: 'mem0', baseUrl: 'http://localhost:8002' },
      user: [
        { name: 'mem0ai_mcp', url: 'http://127.0.0.1:8888/health', critical: false, timeout_ms: 1000 },
        { name: 'api', url: 'http://127.0.0.1:9000/', critical: true, timeout_ms: 250 },
      ],
    });
    assert.equal(services.length, 2);
    assert.deepEqual(services.find((s) => s.name === 'mem0ai_mcp'), { name: 'mem0ai_mcp', url: 'http://127.0.0.1:8888/health', critical: false, timeoutMs: 1000 });
    assert.equal(services.find((s) => s.name === 'api')?.timeoutMs, 250);
  });

  it('drops the framework services when disabled', () => {
    const services = resolveServices({ ...context, memory: { backend: 'mem0', baseUrl: 'http://localhost:8002' }, frameworkTree: true, disableDefaults: true, user: [{ name: 'api', url: 'http://127.0.0.1:9000/', critical: true, timeout_ms: 250 }] });
    assert.deepEqual(services.map((s) => s.name), ['api']);
  });

  it('recognises the framework tree by its backlog file', async () => {
    const root = await mkdtemp(join(tmpdir(), 'cpm-tree-'));
    assert.equal(await isFrameworkTree(root), false);
    await mkdir(join(root, 'trackdown'));
    await writeFile(join(root, 'trackdown', 'BACKLOG.md'), '# Backlog\n');
    assert.equal(await isFrameworkTree(root), true);
  });
});

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateApiKey } from '../../src/core/security/apiKeys';
import { AuditLog } from '../../src/core/security/auditLog';
import { cli } from '../helpers/runCli';
import { tempDir } from '../helpers/tempDir';

const GOOD_KEY = generateApiKey();

// A mem0 stand-in following the documented auth: self-hosted X-API-Key on /memories, platform Token on /v1/ping/.
let server: Server;
let baseUrl: string;
before(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const ok = url.pathname === '/memories' ? req.headers['x-api-key'] === GOOD_KEY : url.pathname === '/v1/ping/' ? req.headers.authorization === `Token ${GOOD_KEY}` : false;
    res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
    res.end(ok ? JSON.stringify({ results: [] }) : JSON.stringify({ detail: 'Authentication required. Provide a Bearer token or X-API-Key header.' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function workspace(config: unknown = {}): Promise<string> {
  const root = await tempDir('claude-pm-cli-security-');
  await mkdir(join(root, '.claude-pm'), { recursive: true });
  await writeFile(join(root, '.claude-pm', 'config.json'), JSON.stringify(config));
  return root;
}

describe('claude-pm security generate-key', () => {
  it('prints a fresh valid key, alone in JSON', async () => {
    const first = await cli(['security', 'generate-key', '--format', 'json']);
    const second = await cli(['security', 'generate-key', '--format', 'json']);
    assert.equal(first.code, 0);
    const { key, length } = JSON.parse(first.stdout) as { key: string; length: number };
    assert.match(key, /^[A-Za-z0-9_-]{64}$/);
    assert.equal(length, 64);
    assert.notEqual(key, (JSON.parse(second.stdout) as { key: string }).key);
  });
});

describe('claude-pm security validate', () => {
  it('passes a development setup with a good key over plain HTTP, with a warning', async () => {
    const root = await workspace({ memory_service: { backend: 'mem0', url: baseUrl } });
    const result = await cli(['security', 'validate', '--format', 'json'], { cwd: root, env: { MEM0AI_API_KEY: GOOD_KEY } });
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as { ok: boolean; environment: string; findings: { id: string; status: string }[] };
    assert.equal(report.ok, true);
    assert.equal(report.environment, 'development');
    assert.deepEqual(report.findings.map((f) => [f.id, f.status]), [['api-key', 'pass'], ['transport', 'warn'], ['policy', 'pass'], ['audit-log', 'pass']]);
    assert.ok(!result.stdout.includes(GOOD_KEY));
  });

  it('fails production over plain HTTP, a weak key and a missing key, and --environment wins over CMPM_ENVIRONMENT', async () => {
    const root = await workspace({ memory_service: { backend: 'mem0', url: baseUrl, verify_ssl: false } });
    const prod = await cli(['security', 'validate', '--environment', 'production'], { cwd: root, env: { MEM0AI_API_KEY: GOOD_KEY, CMPM_ENVIRONMENT: 'development' } });
    assert.equal(prod.code, 1);
    assert.match(prod.stdout, /fail\s+transport: production requires TLS \(https\)/);
    assert.match(prod.stdout, /certificate verification/);
    const weak = await cli(['security', 'validate'], { cwd: root, env: { MEM0AI_API_KEY: 'my-test-key-that-is-long-enough-to-pass' } });
    assert.equal(weak.code, 1);
    assert.match(weak.stdout, /fail\s+api-key: .*"test"/);
    assert.ok(!weak.stdout.includes('my-test-key-that-is-long-enough-to-pass'));
    const missing = await cli(['security', 'validate'], { cwd: root, env: {} });
    assert.equal(missing.code, 1);
    assert.match(missing.stdout, /set MEM0AI_API_KEY/);
    const usage = await cli(['security', 'validate', '--environment', 'staging'], { cwd: root });
    assert.equal(usage.code, 2);
  });

  it('checks the hosted platform over its https URL', async () => {
    const root = await workspace({ environment: 'production', memory_service: { backend: 'mem0-platform' } });
    const result = await cli(['security', 'validate', '--format', 'json'], { cwd: root, env: { MEM0_API_KEY: GOOD_KEY } });
    const report = JSON.parse(result.stdout) as { findings: { id: string; status: string; message: string }[] };
    assert.deepEqual(report.findings.find((f) => f.id === 'transport'), { id: 'transport', status: 'pass', message: 'TLS with certificate verification' });
    assert.equal(result.code, 0, result.stdout);
  });

  it('reports a broken policy and a tampered audit log', async () => {
    const root = await workspace();
    await writeFile(join(root, '.claude-pm', 'policy.json'), '{"users": {"a@b.c": "boss"}}');
    const audit = AuditLog.forWorkspace(root);
    await audit.append({ event: 'config_change', actor: 'a', action: 'one' });
    await audit.append({ event: 'config_change', actor: 'a', action: 'two' });
    await writeFile(audit.file, (await readFile(audit.file, 'utf8')).replace('"two"', '"TWO"'));
    const result = await cli(['security', 'validate'], { cwd: root });
    assert.equal(result.code, 1);
    assert.match(result.stdout, /fail\s+policy: .*unknown role "boss"/);
    assert.match(result.stdout, /fail\s+audit-log: .*line 2:/);
  });
});

describe('claude-pm security test-auth', () => {
  it('authenticates against self-hosted mem0 with X-API-Key and audits the success', async () => {
    const root = await workspace({ memory_service: { backend: 'mem0', url: baseUrl, user_id: 'ana' } });
    const result = await cli(['security', 'test-auth', '--format', 'json'], { cwd: root, env: { MEM0AI_API_KEY: GOOD_KEY, CLAUDE_PM_ACTOR: 'ana@example.org' } });
    assert.equal(result.code, 0, result.stderr);
    const out = JSON.parse(result.stdout) as { outcome: string; url: string };
    assert.equal(out.outcome, 'authenticated');
    assert.match(out.url, /\/memories\?user_id=ana/);
    assert.ok(!result.stdout.includes(GOOD_KEY));
    const entries = await AuditLog.forWorkspace(root).read();
    assert.deepEqual(entries.map((e) => [e.event, e.actor]), [['auth_success', 'ana@example.org']]);
  });

  it('reports a rejected platform key, audits the failure and locks after the configured count', async () => {
    const root = await workspace({ memory_service: { backend: 'mem0-platform', url: baseUrl } });
    const env = { MEM0_API_KEY: generateApiKey(), MEM0AI_MAX_AUTH_FAILURES: '1', CLAUDE_PM_ACTOR: 'ci' };
    const result = await cli(['security', 'test-auth'], { cwd: root, env });
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^rejected: .*\/v1\/ping\/.*401.*the host is now locked/);
    assert.ok(!result.stdout.includes(env.MEM0_API_KEY));
    const events = (await AuditLog.forWorkspace(root).read()).map((e) => e.event);
    assert.deepEqual(events, ['auth_failure', 'auth_lockout']);
    assert.ok(!(await readFile(AuditLog.forWorkspace(root).file, 'utf8')).includes(env.MEM0_API_KEY));
  });

  it('says when the service is unreachable, the key is missing, or nothing needs authenticating', async () => {
    const down = await workspace({ memory_service: { backend: 'mem0', url: 'http://127.0.0.1:1', timeout: 2 } });
    const unreachable = await cli(['security', 'test-auth'], { cwd: down, env: { MEM0AI_API_KEY: GOOD_KEY } });
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stdout, /^unreachable: /);
    const noKey = await cli(['security', 'test-auth'], { cwd: down, env: {} });
    assert.equal(noKey.code, 1);
    assert.match(noKey.stderr, /no API key: set MEM0AI_API_KEY/);
    const embedded = await cli(['security', 'test-auth'], { cwd: await workspace(), env: {} });
    assert.equal(embedded.code, 0);
  });
});

describe('claude-pm security whoami', () => {
  it('shows the actor and role from the policy', async () => {
    const root = await workspace();
    await writeFile(join(root, '.claude-pm', 'policy.json'), JSON.stringify({ default_role: 'viewer' }));
    const result = await cli(['security', 'whoami', '--format', 'json'], { cwd: root, env: { CLAUDE_PM_ACTOR: 'guest@example.org' } });
    assert.deepEqual(JSON.parse(result.stdout), { actor: 'guest@example.org', role: 'viewer', permissions: ['memory.read', 'health.check'], policyFile: true });
  });
});

describe('claude-pm audit verify', () => {
  it('verifies the workspace log, names the first broken line of a file, and fails on a missing --file', async () => {
    const root = await workspace();
    const empty = await cli(['audit', 'verify'], { cwd: root });
    assert.equal(empty.code, 0);
    assert.match(empty.stdout, /no events recorded yet/);
    const audit = AuditLog.forWorkspace(root);
    for (const action of ['a', 'b', 'c']) await audit.append({ event: 'key_rotation', actor: 'ops', action });
    const intact = await cli(['audit', 'verify', '--format', 'json'], { cwd: root });
    assert.equal(intact.code, 0);
    assert.equal((JSON.parse(intact.stdout) as { lines: number }).lines, 3);
    const lines = (await readFile(audit.file, 'utf8')).split('\n');
    const copy = join(root, 'copy.log');
    await writeFile(copy, [lines[0], lines[2], lines[1], ''].join('\n'));
    const broken = await cli(['audit', 'verify', '--file', 'copy.log'], { cwd: root });
    assert.equal(broken.code, 1);
    assert.match(broken.stdout, /copy\.log: line 2: entry 2 is missing before this line/);
    const missing = await cli(['audit', 'verify', '--file', 'nope.log'], { cwd: root });
    assert.equal(missing.code, 1);
  });
});

describe('claude-pm security assign-role', () => {
  it('creates a team policy with the actor as admin, then edits it keeping unknown keys, auditing each change', async () => {
    const root = await workspace();
    const env = { CLAUDE_PM_ACTOR: 'lead@example.org' };
    const first = await cli(['security', 'assign-role', 'dev@example.org', 'viewer', '--format', 'json'], { cwd: root, env });
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(JSON.parse(first.stdout), { email: 'dev@example.org', role: 'viewer', previous: null, created: true });
    const file = join(root, '.claude-pm', 'policy.json');
    const policy = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(policy.users, { 'lead@example.org': 'admin', 'dev@example.org': 'viewer' });
    await writeFile(file, JSON.stringify({ ...policy, note: 'owned by the platform team' }));

    const second = await cli(['security', 'assign-role', 'DEV@example.org', 'developer'], { cwd: root, env });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /viewer → developer/);
    const edited = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    assert.equal(edited.note, 'owned by the platform team');
    assert.deepEqual(edited.users, { 'lead@example.org': 'admin', 'dev@example.org': 'developer' });

    const unknown = await cli(['security', 'assign-role', 'x@example.org', 'overlord'], { cwd: root, env });
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /unknown role "overlord"/);
    assert.equal(JSON.parse(await readFile(file, 'utf8')).users['x@example.org'], undefined);

    const denied = await cli(['security', 'assign-role', 'dev@example.org', 'admin'], { cwd: root, env: { CLAUDE_PM_ACTOR: 'dev@example.org' } });
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /permission 'system\.configure' is missing/);

    const events = (await AuditLog.forWorkspace(root).read()).map((e) => [e.event, e.actor, e.target]);
    assert.deepEqual(events, [
      ['config_change', 'lead@example.org', 'dev@example.org'],
      ['config_change', 'lead@example.org', 'DEV@example.org'],
      ['permission_denied', 'dev@example.org', undefined],
    ]);
    const usage = await cli(['security', 'assign-role', 'only-email'], { cwd: root, env });
    assert.equal(usage.code, 2);
  });
});

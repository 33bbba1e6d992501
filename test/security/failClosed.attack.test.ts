import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cli } from '../helpers/runCli';
import { tempDir } from '../helpers/tempDir';

// Class 11: a command whose behaviour depends on a broken file stops and names it; the auth lockout holds across
// CLI runs. And from the RBAC review: a dry run never needs a write permission.

let server: Server;
let baseUrl: string;
let requests = 0;
before(async () => {
  // A mem0 stand-in that rejects every key, as the documented API does: 401 with a detail.
  server = createServer((_req, res) => {
    requests++;
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ detail: 'Invalid API key' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function workspace(config: string): Promise<{ root: string; env: NodeJS.ProcessEnv }> {
  const root = await tempDir('claude-pm-closed-');
  await mkdir(join(root, '.claude-pm'));
  await writeFile(join(root, '.claude-pm', 'config.json'), config);
  return { root, env: { CLAUDE_PM_CONFIG_DIR: await tempDir('claude-pm-user-'), CLAUDE_PM_ACTOR: 'ana@example.org' } };
}

describe('attack: fail closed', () => {
  it('a syntax error in config.json stops memory add (naming file, line and column) instead of writing to the embedded store', async () => {
    const { root, env } = await workspace('{\n  "memory_service": { "backend": "mem0", "url": "http://127.0.0.1:9" },\n  "orchestrator": { "max_agents": 3, }\n}\n');
    const result = await cli(['memory', 'add', '--category', 'pattern', 'this must not land anywhere'], { cwd: root, env });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /config\.json:3:\d+: not valid JSON/);
    assert.ok(!(await readdir(join(root, '.claude-pm'))).includes('memory'), 'nothing was written to the embedded store');
  });

  it('an invalid value is not silently replaced by its default either', async () => {
    const { root, env } = await workspace('{\n  "memory_service": {\n    "backend": "mem-zero"\n  }\n}\n');
    const result = await cli(['memory', 'list'], { cwd: root, env });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /config\.json:3:\d+: memory_service\.backend/);
  });

  it('a broken policy refuses changes, naming its line and column', async () => {
    const { root, env } = await workspace('{}');
    await writeFile(join(root, '.claude-pm', 'policy.json'), '{\n  "default_role": "viewer"\n  "users": {}\n}\n');
    const result = await cli(['tickets', 'create', 'task', 'anything'], { cwd: root, env });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /policy\.json: not valid JSON at line 3, column \d+/);
  });

  it('the auth lockout counts failures across CLI runs and then sends nothing', async () => {
    const { root, env } = await workspace(JSON.stringify({ memory_service: { backend: 'mem0', url: baseUrl } }));
    const runEnv = { ...env, MEM0AI_API_KEY: 'k'.repeat(64), MEM0AI_MAX_AUTH_FAILURES: '3' };
    requests = 0;
    for (let i = 1; i <= 3; i++) {
      const result = await cli(['security', 'test-auth', '--format', 'json'], { cwd: root, env: runEnv });
      assert.equal((JSON.parse(result.stdout) as { outcome: string }).outcome, 'rejected', `run ${i}`);
    }
    const locked = await cli(['security', 'test-auth', '--format', 'json'], { cwd: root, env: runEnv });
    assert.equal((JSON.parse(locked.stdout) as { outcome: string }).outcome, 'locked');
    assert.equal(requests, 3, 'the locked run sent no request');
  });

  it('a dry run needs no write permission; the real run still does', async () => {
    const { root, env } = await workspace(JSON.stringify({ templates: { target: 'project' } }));
    await writeFile(join(root, '.claude-pm', 'policy.json'), JSON.stringify({ default_role: 'viewer' }));
    const viewer = { ...env, CLAUDE_PM_ACTOR: 'viewer@example.org' };
    const dry = await cli(['deploy', '--dry-run', '--format', 'json'], { cwd: root, env: viewer });
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal((JSON.parse(dry.stdout) as { action: string }).action, 'created');
    assert.ok(!(await readdir(root)).includes('CLAUDE.md'));
    const real = await cli(['deploy'], { cwd: root, env: viewer });
    assert.equal(real.code, 1);
    assert.match(real.stderr, /may not deploy: the permission 'template\.deploy' is missing/);
  });
});

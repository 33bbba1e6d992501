import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { generateApiKey } from '../../src/core/security/apiKeys';
import { AuditLog } from '../../src/core/security/auditLog';
import { createWorkspaceAuthorizer } from '../../src/core/security/policy';
import { tempDir } from '../helpers/tempDir';

// A known key in every variable a secret can come from; after every registered CLI command has run against a
// realistic workspace, no file written there or in HOME, and no output, may contain it.

const KEY = generateApiKey();
const FIXTURES = process.env.CLAUDE_PM_FIXTURES ?? resolve(__dirname, '../../../shared/fixtures');

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

async function snapshot(dir: string): Promise<Map<string, number>> {
  const files = await filesUnder(dir);
  return new Map(await Promise.all(files.map(async (f) => [f, (await stat(f)).mtimeMs] as [string, number])));
}

describe('log scan: a key in the environment never reaches a file or output', () => {
  it('holds for every registered CLI command in text and JSON', { timeout: 300_000 }, async () => {
    // A mem0 stand-in that rejects the key, so auth failure paths (which tend to echo requests) run too.
    const server = createServer((req, res) => {
      res.writeHead(req.url?.startsWith('/memories') ? 401 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ detail: `Invalid API key ${String(req.headers['x-api-key'] ?? req.headers.authorization)}` }));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const mem0Url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const root = await tempDir('claude-pm-logscan-');
      const workspace = join(root, 'workspace');
      const home = join(root, 'home');
      await mkdir(join(workspace, '.claude-pm'), { recursive: true });
      await mkdir(home, { recursive: true });
      await cp(join(FIXTURES, 'pytools', 'tasks'), join(workspace, 'tasks'), { recursive: true });
      await cp(join(FIXTURES, 'cmpm', 'framework', 'CLAUDE.md'), join(workspace, 'CLAUDE.md'));
      await writeFile(join(workspace, '.claude-pm', 'config.json'), JSON.stringify({ memory_service: { backend: 'mem0', url: mem0Url, timeout: 2 }, health: { services: [{ name: 'mem0', url: `${mem0Url}/health`, timeout_ms: 500 }] } }));
      // A denial and an audit entry are part of the flow too.
      await writeFile(join(workspace, '.claude-pm', 'policy.json'), JSON.stringify({ default_role: 'developer' }));
      const before = await snapshot(root);

      const env = {
        PATH: process.env.PATH,
        HOME: home,
        MEM0AI_API_KEY: KEY,
        MEM0_API_KEY: KEY,
        ANTHROPIC_API_KEY: KEY,
        CLAUDE_PM_ACTOR: 'scanner@example.org',
        CLAUDE_PM_CLAUDE_PATH: join(root, 'no-claude-here'),
      };
      const outFile = join(root, 'results.json');
      await new Promise<void>((done, fail) => {
        const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'logScanRunner.ts'), workspace, outFile, '3000'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.on('data', (d: Buffer) => (output += d.toString()));
        child.stderr.on('data', (d: Buffer) => (output += d.toString()));
        child.on('error', fail);
        child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`runner exited ${code}: ${output}`))));
      });
      await (await createWorkspaceAuthorizer(workspace, env)).require('system.configure', `configure with ${KEY}`).catch(() => undefined);
      await AuditLog.forWorkspace(workspace).append({ event: 'key_rotation', actor: 'scanner', action: 'rotate', details: { MEM0AI_API_KEY: KEY } });

      const results = JSON.parse(await readFile(outFile, 'utf8')) as { argv: string[]; stdout: string; stderr: string }[];
      assert.ok(results.length >= 2, 'the registry has commands');
      for (const r of results) {
        assert.ok(!r.stdout.includes(KEY), `stdout of ${r.argv.join(' ')}`);
        assert.ok(!r.stderr.includes(KEY), `stderr of ${r.argv.join(' ')}`);
      }
      const written = [...(await snapshot(root))].filter(([file, mtime]) => before.get(file) !== mtime && file !== outFile).map(([file]) => file);
      assert.ok(written.some((f) => f.endsWith('audit.log')), 'the flow wrote an audit log');
      for (const file of written) assert.ok(!(await readFile(file, 'utf8')).includes(KEY), `${relative(root, file)} contains the key`);
    } finally {
      await new Promise<void>((done) => server.close(() => done()));
    }
  });
});

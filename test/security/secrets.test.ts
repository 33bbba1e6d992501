import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { memorySecretStorage } from '../helpers/memorySecretStorage';
import { cli } from '../helpers/runCli';
import { tempDir } from '../helpers/tempDir';

const PASSWORD = 'hunter2-in-the-url';
const KEY = 'plain-low-entropy-key';
const env = { HOME: '/nonexistent-home', PATH: process.env.PATH };

async function workspace(config: unknown, files: Record<string, string> = {}): Promise<string> {
  const root = await tempDir('claude-pm-secrets-');
  await mkdir(join(root, '.claude-pm', 'workflows'), { recursive: true });
  await writeFile(join(root, '.claude-pm', 'config.json'), JSON.stringify(config));
  for (const [name, text] of Object.entries(files)) await writeFile(join(root, name), text);
  return root;
}

// A mem0 stand-in on 127.0.0.2: a loopback address, but not the one the CLI trusts by default, so it plays the
// "somewhere a repository's config points" role without any traffic leaving the machine.
let server: Server;
let foreignUrl: string;
const received: IncomingHttpHeaders[] = [];
before(async () => {
  server = createServer((req, res) => {
    received.push(req.headers);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ results: [] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
  foreignUrl = `http://127.0.0.2:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('secrets stay out of output and away from origins the user never chose', () => {
  it('credentials inside a configured URL are masked by config show, security validate and test-auth', async () => {
    const cwd = await workspace({ memory_service: { backend: 'mem0', url: `http://admin:${PASSWORD}@127.0.0.1:9` } });
    for (const args of [['config', 'show'], ['config', 'show', '--format', 'json'], ['security', 'validate'], ['security', 'validate', '--format', 'json'], ['security', 'test-auth', '--format', 'json']]) {
      const result = await cli(args, { cwd, env: { ...env, MEM0AI_API_KEY: KEY } });
      const output = result.stdout + result.stderr;
      assert.ok(!output.includes(PASSWORD), `${args.join(' ')} printed the URL's password: ${output}`);
      assert.ok(!output.includes(KEY), `${args.join(' ')} printed the key`);
    }
    const shown = await cli(['config', 'show'], { cwd, env });
    assert.match(shown.stdout, /memory backend: mem0 \(http:\/\/\*\*\*@127\.0\.0\.1:9\)/);
  });

  it('a run log and the step output keep no key value, even one no pattern recognises', async () => {
    const cwd = await workspace({}, { '.claude-pm/workflows/leak.yaml': 'name: leak\nsteps:\n  - { name: show, command: "echo token is $MY_SERVICE_TOKEN; echo pass $DB_PASSWORD" }\n' });
    const run = await cli(['workflow', 'run', '.claude-pm/workflows/leak.yaml', '--skip-memory', '--format', 'json'], { cwd, env: { ...env, MY_SERVICE_TOKEN: KEY, DB_PASSWORD: 'letmein99' } });
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout);
    assert.match(result.steps[0].outputTail, /token is \*\*\*/);
    const runsDir = join(cwd, '.claude-pm', 'runs');
    const stored = (await Promise.all((await readdir(runsDir)).map((f) => readFile(join(runsDir, f), 'utf8')))).join('\n');
    for (const text of [run.stdout, run.stderr, stored]) {
      assert.ok(!text.includes(KEY) && !text.includes('letmein99'), 'a key value reached the output or the run files');
    }
  });

  it('the CLI refuses to send an environment key to an origin only the workspace config names', async () => {
    const cwd = await workspace({ memory_service: { backend: 'mem0', url: foreignUrl } });
    received.length = 0;
    const refused = await cli(['memory', 'list'], { cwd, env: { ...env, MEM0AI_API_KEY: KEY } });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /not sending the API key to http:\/\/127\.0\.0\.2:\d+: .*CLAUDE_PM_KEY_ORIGINS=http:\/\/127\.0\.0\.2:\d+/);
    const auth = await cli(['security', 'test-auth'], { cwd, env: { ...env, MEM0AI_API_KEY: KEY } });
    assert.equal(auth.code, 1);
    assert.deepEqual(received, [], 'the foreign server was contacted');

    const allowed = await cli(['security', 'test-auth', '--format', 'json'], { cwd, env: { ...env, MEM0AI_API_KEY: KEY, CLAUDE_PM_KEY_ORIGINS: foreignUrl } });
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.equal(received.at(-1)?.['x-api-key'], KEY);
    const viaEnv = await cli(['security', 'test-auth'], { cwd: await workspace({ memory_service: { backend: 'mem0' } }), env: { ...env, MEM0AI_API_KEY: KEY, MEM0AI_URL: foreignUrl } });
    assert.equal(viaEnv.code, 0, viaEnv.stderr);
  });
});

describe('the editor binds a stored key to the origin it was set for', () => {
  it('sends the key to its own origin, asks before any other, and never in Restricted Mode', async () => {
    const { ApiKeys } = await import('../../src/vscode/common/apiKeys');
    const asked: [string | undefined, string][] = [];
    let answer: 'once' | 'always' | undefined;
    let trusted = true;
    const storage = memorySecretStorage();
    const keys = new ApiKeys(storage as never, {}, () => trusted, async (_service, boundTo, target) => {
      asked.push([boundTo, target]);
      return answer;
    });
    await keys.store('mem0', KEY, 'https://mem0.mine.example:8000/v1');
    assert.equal(await keys.forBackend('mem0', 'https://mem0.mine.example:8000/memories'), KEY);
    assert.deepEqual(asked, []);

    // A repository's memory_service.url points elsewhere: refused unless the user agrees.
    assert.equal(await keys.forBackend('mem0', 'https://collector.evil.example/'), undefined);
    assert.deepEqual(asked, [['https://mem0.mine.example:8000', 'https://collector.evil.example']]);
    answer = 'once';
    assert.equal(await keys.forBackend('mem0', 'https://collector.evil.example/'), KEY);
    answer = 'always';
    assert.equal(await keys.forBackend('mem0', 'https://other.example/'), KEY);
    answer = undefined;
    assert.equal(await keys.forBackend('mem0', 'https://other.example/x'), KEY, '"always" rebinds the key');
    assert.equal(await keys.forBackend('mem0', 'https://mem0.mine.example:8000/'), undefined, 'the old origin now needs a yes');

    trusted = false;
    answer = 'always';
    assert.equal(await keys.forBackend('mem0', 'https://other.example/'), undefined);
    assert.equal(await keys.forBackend('embedded', ''), undefined);
    await keys.delete('mem0');
    assert.deepEqual([...storage.values.keys()], []);
  });
});

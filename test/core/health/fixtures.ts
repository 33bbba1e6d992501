import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Commits work on a clean machine without a global git identity. */
export const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Health Test',
  GIT_AUTHOR_EMAIL: 'health@example.invalid',
  GIT_COMMITTER_NAME: 'Health Test',
  GIT_COMMITTER_EMAIL: 'health@example.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
};

export async function git(cwd: string, ...args: string[]): Promise<string> {
  return (await run('git', args, { cwd, env: GIT_ENV })).stdout;
}

/** A real HTTP server on 127.0.0.1 that answers with `behaviour`; closed when the test file ends. */
export async function httpServer(behaviour: 'ok' | 'error500' | 'hang' | 'unauthorized' | { delayMs: number }): Promise<string> {
  const server: Server = createServer((req, res) => {
    if (behaviour === 'hang') return; // never answers
    const send = () => {
      if (behaviour === 'error500') res.writeHead(500).end('{"detail":"boom"}');
      else if (behaviour === 'unauthorized' && !req.headers['x-api-key'] && !req.headers.authorization) res.writeHead(401).end('{"detail":"Authentication required."}');
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    };
    if (typeof behaviour === 'object') setTimeout(send, behaviour.delayMs);
    else send();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A port that was just free: nothing listens there. */
export async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** A repository with one commit on `main`, a README and the `.claude-pm` layout. */
export async function makeRepo(dir: string, options: { layout?: boolean } = {}): Promise<string> {
  await mkdir(dir, { recursive: true });
  await git(dir, 'init', '-q', '-b', 'main');
  await writeFile(join(dir, 'README.md'), '# project\n');
  if (options.layout !== false) {
    for (const sub of ['logs', 'agents/project-specific', 'templates', 'memory']) {
      await mkdir(join(dir, '.claude-pm', sub), { recursive: true });
      await writeFile(join(dir, '.claude-pm', sub, '.keep'), '');
    }
  }
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '-m', 'initial');
  return dir;
}

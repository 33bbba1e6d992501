// Installs the real VS Code the end-to-end tests and `npm start` use: code-server 4.100.3 (VS Code 1.100.3),
// pinned in test/e2e/harness. Offline-safe: @vscode/ripgrep's download is served from a cache seeded with
// the system's `rg`, and node-pty's build gets node-gyp from npm. Needs Debian's libkrb5-dev and ripgrep.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const harness = resolve('test/e2e/harness');
export const codeServerBin = join(harness, 'node_modules', '.bin', 'code-server');

/** A problem to fix on the system (a missing package, a failed install): printed as one line, not a stack trace. */
export class SetupProblem extends Error {}

function which(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).stdout.trim();
}

// What building code-server needs from the system, by the Debian package that provides it.
const PREREQUISITES = [
  ['rg', 'ripgrep'],
  ['krb5-config', 'libkrb5-dev'],
  ['make', 'build-essential'],
  ['g++', 'build-essential'],
  ['python3', 'python3'],
];

export function ensureCodeServer() {
  if (existsSync(codeServerBin) && existsSync(join(harness, 'node_modules', 'code-server', 'lib', 'vscode', 'node_modules'))) return codeServerBin;
  const missing = [...new Set(PREREQUISITES.filter(([command]) => !which(command)).map(([, pkg]) => pkg))];
  if (missing.length) throw new SetupProblem(`Install ${missing.join(', ')} first: sudo apt-get install -y ${missing.join(' ')} (or install VS Code, so that \`code\` is on PATH).`);
  const rg = which('rg');
  const cache = join(process.env.TMPDIR || tmpdir(), 'vscode-ripgrep-cache-1.15.11');
  const tarball = join(cache, 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz');
  if (!existsSync(tarball)) {
    mkdirSync(cache, { recursive: true });
    const staging = mkdtempSync(join(tmpdir(), 'rg-'));
    cpSync(rg, join(staging, 'rg'));
    execFileSync('tar', ['czf', tarball, '-C', staging, 'rg']);
  }
  console.error('Installing code-server 4.100.3 for the end-to-end tests (about 2 minutes, once)…');
  const result = spawnSync('npm', ['ci', '--unsafe-perm', '--no-audit', '--no-fund'], {
    cwd: harness,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, npm_config_yes: 'true', npm_config_nodedir: process.env.npm_config_nodedir ?? '/usr' },
  });
  if (result.status !== 0) throw new SetupProblem('code-server could not be installed: see the npm output above.');
  return codeServerBin;
}

/** Runs `ensureCodeServer`, ending the process with its one-line message when the system needs something first. */
export function ensureCodeServerOrExit() {
  try {
    return ensureCodeServer();
  } catch (error) {
    if (!(error instanceof SetupProblem)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) ensureCodeServerOrExit();

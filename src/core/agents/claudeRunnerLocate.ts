import { execFile } from 'node:child_process';
import { access, constants, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { processesAllowed } from '../common/processGate';

// Finding the Claude Code CLI the way the Agent SDK does: the configured path, else `claude` on PATH,
// then ~/node_modules/.bin/claude, then ~/.claude/local/claude.

export const CLAUDE_INSTALL_HINT = 'Install it with `npm install -g @anthropic-ai/claude-code`, or set `claudePm.agents.claudePath` (CLI: CLAUDE_PM_CLAUDE_PATH) to its path.';

export interface ClaudeCliInfo {
  found: boolean;
  /** The executable that will run, when found. */
  path?: string;
  version?: string;
  /** Why it was not found or did not answer. */
  error?: string;
}

/** Resolves the executable for `configured` (a bare name is looked up on PATH); undefined when none exists. */
export async function locateClaudeCli(configured: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Promise<string | undefined> {
  const candidates: string[] = [];
  if (isAbsolute(configured) || configured.includes('/') || configured.includes('\\')) candidates.push(resolve(cwd, configured));
  else {
    const extensions = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
    for (const dir of (env.PATH ?? env.Path ?? '').split(delimiter).filter(Boolean)) for (const ext of extensions) candidates.push(join(dir, configured + ext));
    if (configured === 'claude') {
      const home = env.HOME || env.USERPROFILE || homedir();
      candidates.push(join(home, 'node_modules', '.bin', 'claude'), join(home, '.claude', 'local', 'claude'));
    }
  }
  for (const candidate of candidates) {
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Locates the CLI and asks it for its version (`claude --version` prints e.g. "2.1.197 (Claude Code)"). */
export async function probeClaudeCli(configured: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Promise<ClaudeCliInfo> {
  const path = await locateClaudeCli(configured, env, cwd);
  if (!path) return { found: false, error: `The Claude Code CLI ('${configured}') was not found. ${CLAUDE_INSTALL_HINT}` };
  const mtimeMs = (await stat(path).catch(() => undefined))?.mtimeMs ?? 0;
  const key = `${path}\0${mtimeMs}`;
  let version = versionProbes.get(key);
  if (!version) {
    version = runVersion(path, env);
    versionProbes.set(key, version);
    // A failure may be passing (a timeout under load): only successful answers are kept.
    void version.then((info) => info.error && versionProbes.delete(key));
  }
  return version;
}

// `claude --version` costs a process start (hundreds of ms); health checks every project with it, so the
// answer is kept while the binary on disk is the same file.
const versionProbes = new Map<string, Promise<ClaudeCliInfo>>();

function runVersion(path: string, env: NodeJS.ProcessEnv): Promise<ClaudeCliInfo> {
  return new Promise((done) => {
    if (!processesAllowed()) {
      done({ found: true, path, error: `'${path} --version' was not run: processes are blocked` });
      return;
    }
    execFile(path, ['--version'], { env: { ...env, DISABLE_AUTOUPDATER: '1' }, timeout: 15_000, windowsHide: true }, (error, stdout) => {
      if (error) done({ found: true, path, error: `'${path} --version' failed: ${error.message.split('\n')[0]}` });
      else done({ found: true, path, version: /\d+\.\d+\.\d+\S*/.exec(stdout)?.[0] ?? stdout.trim() });
    });
  });
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, process.platform === 'win32' ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

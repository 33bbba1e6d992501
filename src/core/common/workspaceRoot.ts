import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/**
 * The workspace a directory belongs to: the nearest folder at or above `dir` that holds `.claude-pm/`, else the
 * git root, else `dir` itself. Commands run from a subfolder therefore still read the workspace's policy and
 * config. The user's own `~/.claude-pm` (user-defined agents) does not make the home folder a workspace.
 */
export async function findWorkspaceRoot(dir: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const start = resolve(dir);
  const home = resolve(env.HOME?.trim() || homedir());
  for (let current = start; ; current = dirname(current)) {
    if (current !== home && (await isDirectory(join(current, '.claude-pm')))) return current;
    // A worktree or submodule has a `.git` file rather than a folder; either ends the walk.
    if (await exists(join(current, '.git'))) return current;
    if (dirname(current) === current) return start;
  }
}

const isDirectory = (path: string) => stat(path).then((s) => s.isDirectory(), () => false);
const exists = (path: string) => stat(path).then(() => true, () => false);

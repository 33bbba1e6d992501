import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/framework';
import { allCommands } from '../../src/cli/commands/registry';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

// Keys, anchors and lockout state of CLI runs stay in a test folder (the runner's, else one per test process).
process.env.CLAUDE_PM_CONFIG_DIR ??= mkdtempSync(join(tmpdir(), 'claude-pm-user-config-'));

/** Runs the CLI in-process with captured output, as `claude-pm ...args` would from `cwd`. */
export async function cli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, allCommands, '0.0.0-test', {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: { CLAUDE_PM_CONFIG_DIR: process.env.CLAUDE_PM_CONFIG_DIR, ...options.env },
    cwd: options.cwd ?? process.cwd(),
  });
  return { code, stdout, stderr };
}

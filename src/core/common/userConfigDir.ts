import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The user's own Claude PM folder, outside every workspace: `$CLAUDE_PM_CONFIG_DIR`, else
 * `$XDG_CONFIG_HOME/claude-pm`, else `%APPDATA%\claude-pm` on Windows, else `~/.config/claude-pm`.
 * What a cloned repository must not be able to change (the audit key and anchors, the lockout state) lives here.
 */
export function userConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CLAUDE_PM_CONFIG_DIR?.trim()) return env.CLAUDE_PM_CONFIG_DIR.trim();
  if (env.XDG_CONFIG_HOME?.trim()) return join(env.XDG_CONFIG_HOME.trim(), 'claude-pm');
  if (process.platform === 'win32' && env.APPDATA?.trim()) return join(env.APPDATA.trim(), 'claude-pm');
  return join(env.HOME?.trim() || homedir(), '.config', 'claude-pm');
}

import { realpathSync } from 'node:fs';
import type { ToolServerCommand } from '../core/agents/toolServer';

// How this CLI starts itself again, for the `claude-pm mcp` tool server of agent runs: this Node and this script
// (CLAUDE_PM_CLI names the script when claude-pm runs embedded in another program).
const CLI_SCRIPT = /(^|[\\/])(cli\.js|main\.mjs|claude-pm)$/;

export function selfToolServer(env: NodeJS.ProcessEnv): ToolServerCommand | undefined {
  const script = env.CLAUDE_PM_CLI || process.argv[1];
  if (!script || !CLI_SCRIPT.test(script)) return undefined;
  try {
    return { command: process.execPath, args: [realpathSync(script)] };
  } catch {
    return undefined;
  }
}

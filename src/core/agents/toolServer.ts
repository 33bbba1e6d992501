// The `claude-pm mcp` tool server as Claude Code sees it: the `--mcp-config` entry that starts it for an agent run,
// the tool names the run may call, and the project's `.mcp.json` entry for interactive sessions.

export const TOOL_SERVER_NAME = 'claude-pm';

export const TOOL_NAMES = ['memory_search', 'memory_add', 'ticket_list', 'ticket_show', 'ticket_create', 'ticket_update', 'ticket_transition', 'ticket_note', 'health_report'] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

/** How to start `claude-pm mcp`: an executable and its arguments (the workspace is added per run). */
export interface ToolServerCommand {
  command: string;
  args: string[];
  env?: Record<string, string>;
}

/** Who acts through the server: the audit trail names the agent and the run. */
export interface ToolServerCaller {
  agentType: string;
  runId?: string;
  step?: string;
}

/** `mcp__claude-pm__memory_add`: the name the model calls a tool by. */
export function qualifiedToolName(tool: ToolName): string {
  return `mcp__${TOOL_SERVER_NAME}__${tool}`;
}

/** The `mcpServers` entry that starts the server (for `cwd`, else where Claude Code runs), with the caller in its environment. */
export function toolServerEntry(server: ToolServerCommand, cwd?: string, caller?: ToolServerCaller): { command: string; args: string[]; env?: Record<string, string> } {
  const env: Record<string, string> = { ...server.env };
  if (caller) {
    env.CLAUDE_PM_AGENT = caller.agentType;
    if (caller.runId) env.CLAUDE_PM_RUN_ID = caller.runId;
    if (caller.step) env.CLAUDE_PM_STEP = caller.step;
  }
  return { command: server.command, args: [...server.args, 'mcp', ...(cwd ? ['--cwd', cwd] : [])], ...(Object.keys(env).length ? { env } : {}) };
}

/** The JSON `--mcp-config` takes. */
export function toolServerConfig(server: ToolServerCommand, cwd: string, caller?: ToolServerCaller): string {
  return JSON.stringify({ mcpServers: { [TOOL_SERVER_NAME]: toolServerEntry(server, cwd, caller) } });
}

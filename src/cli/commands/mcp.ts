import { lazyCommands } from '../lazyCommands';

/** Declarations only: the handlers in ../handlers/mcp (and the MCP SDK) load when one of these commands runs. */
export const mcpCommands = lazyCommands(() => import('../handlers/mcp').then((m) => m.mcpHandlers), {
  mcp: {
    path: ['mcp'],
    summary: 'Serve memory, tickets and health to Claude Code as MCP tools over stdio (each call checked and audited like the CLI command)',
  },
  mcpRegister: {
    path: ['mcp', 'register'],
    summary: "Add the claude-pm tool server to the project's .mcp.json for interactive Claude Code sessions, keeping other servers",
    permission: 'system.configure',
  },
});

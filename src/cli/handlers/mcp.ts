import { registerToolServer } from '../../core/agents/projectMcpFile';
import { selfToolServer } from '../selfCommand';
import type { CliHandlers } from '../framework';

export const mcpHandlers = {
  mcp: async (ctx) => {
    // The SDK loads only here: no other command pays for it at start-up.
    const { serveTools } = await import('../mcp/toolServer');
    await serveTools(ctx);
    return 0;
  },
  mcpRegister: async (ctx) => {
    const server = selfToolServer(ctx.env);
    if (!server) throw new Error('cannot tell where the claude-pm CLI is installed; set CLAUDE_PM_CLI to the path of its cli.js');
    const { file, created, replaced } = await registerToolServer(ctx.cwd, server);
    ctx.print({ file, created, replaced }, () => `${created ? 'Created' : 'Updated'} ${file}: Claude Code sessions in this project now have the claude-pm tools${replaced ? ' (entry replaced)' : ''}.`);
    return 0;
  },
} satisfies CliHandlers;

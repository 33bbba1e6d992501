import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';
import { TOOL_SERVER_NAME, type ToolName } from '../../core/agents/toolServer';
import { apiKeyFromEnv, createMemoryService } from '../../core/memory/openMemory';
import { TICKET_TYPES } from '../../core/tickets/model';
import { allCommands } from '../commands/registry';
import { runCli, type CliContext, type CliIo } from '../framework';

// `claude-pm mcp`: memory, tickets and health as Model Context Protocol tools over stdio. Every tool call runs the
// CLI command of the same name in-process, so an agent gets exactly the CLI's validation, services, permission
// check (as the user who started the run) and JSON; changing calls are added to the audit trail with the agent
// and run that made them. Only protocol goes to stdout: everything else is logged to stderr.

interface ToolSpec {
  description: string;
  input: z.ZodRawShape;
  /** The CLI words and options for the arguments. */
  argv(args: Record<string, unknown>, caller: Caller): string[];
  /** Positional arguments: user text, passed after `--` so it is never read as an option. */
  positionals?(args: Record<string, unknown>): unknown[];
  /** What the audit entry names as the target. */
  target?(args: Record<string, unknown>): string | undefined;
}

// The tools' own version: it changes when a tool's arguments or output change.
const SERVER_VERSION = '1.0.0';

interface Caller {
  agent?: string;
  runId?: string;
  step?: string;
}

const text = (description: string) => z.string().min(1).describe(description);
const id = text('Ticket ID, e.g. ISS-0007 or TSK-0012');
const tags = z.array(z.string().min(1)).max(20).optional().describe('Tags');

const TOOLS: Record<ToolName, ToolSpec> = {
  memory_search: {
    description: 'Search the project memory (decisions, patterns, team conventions, errors and their solutions). Returns the best matches with scores.',
    input: { query: text('What to look for'), category: z.string().optional().describe('project, pattern, team, error or a custom category'), limit: z.number().int().min(1).max(100).optional(), tags },
    argv: (a) => ['memory', 'search', ...opt('category', a.category), ...opt('limit', a.limit), ...many('tag', a.tags)],
    positionals: (a) => [String(a.query)],
  },
  memory_add: {
    description: 'Record something worth remembering for later runs: a decision (project), a reusable pattern (pattern), a team convention (team) or an error and its solution (error).',
    input: { content: text('The memory, self-contained'), category: text('project, pattern, team, error or a custom category'), tags },
    argv: (a, caller) => ['memory', 'add', ...opt('category', a.category), ...many('tag', a.tags), ...many('meta', callerMeta(caller))],
    positionals: (a) => [String(a.content)],
  },
  ticket_list: {
    description: 'List ai-trackdown tickets, filtered by type, status (raw or open/in_progress/review/blocked/done/cancelled/archived), priority, assignee, tag or epic.',
    input: { type: z.enum(TICKET_TYPES).optional(), status: z.string().optional(), priority: z.string().optional(), assignee: z.string().optional(), tag: z.string().optional(), epic: z.string().optional() },
    argv: (a) => ['tickets', 'list', ...['type', 'status', 'priority', 'assignee', 'tag', 'epic'].flatMap((k) => opt(k, a[k]))],
  },
  ticket_show: {
    description: 'Show one ticket: its fields, children and markdown body.',
    input: { id },
    argv: () => ['tickets', 'show'],
    positionals: (a) => [String(a.id)],
  },
  ticket_create: {
    description: 'Create an epic, issue, task, pr or bug, linked to its parent epic or issue.',
    input: { type: z.enum(['epic', 'issue', 'task', 'pr', 'bug']), title: text('Title'), epic: z.string().optional(), issue: z.string().optional(), priority: z.string().optional(), description: z.string().optional(), assignee: z.string().optional(), tags },
    argv: (a) => ['tickets', 'create', ...['epic', 'issue', 'priority', 'description', 'assignee'].flatMap((k) => opt(k, a[k])), ...many('tag', a.tags)],
    positionals: (a) => [String(a.type), String(a.title)],
    target: (a) => String(a.title),
  },
  ticket_update: {
    description: "Change a ticket's title, description, priority, assignee or tags; everything else in the file stays as it is.",
    input: { id, title: z.string().optional(), description: z.string().optional(), priority: z.string().optional(), assignee: z.string().optional(), tags },
    argv: (a) => ['tickets', 'update', ...['title', 'description', 'priority', 'assignee'].flatMap((k) => opt(k, a[k])), ...many('tag', a.tags)],
    positionals: (a) => [String(a.id)],
  },
  ticket_transition: {
    description: 'Move a ticket to another state (e.g. in_progress, ready_for_qa, done); an illegal move is refused with the allowed states.',
    input: { id, state: text('The new state'), reason: z.string().optional() },
    argv: (a) => ['tickets', 'transition', ...opt('reason', a.reason)],
    positionals: (a) => [String(a.id), String(a.state)],
  },
  ticket_note: {
    description: 'Append a note to a ticket (what was done, what is left, a decision).',
    input: { id, text: text('The note') },
    argv: () => ['tickets', 'note'],
    positionals: (a) => [String(a.id), String(a.text)],
  },
  health_report: {
    description: 'Check the project health: services, git state and framework compliance, with a score and alerts.',
    input: {},
    argv: () => ['health'],
  },
};

function opt(name: string, value: unknown): string[] {
  return value === undefined || value === null || value === '' ? [] : [`--${name}`, String(value)];
}

function many(name: string, values: unknown): string[] {
  return Array.isArray(values) ? values.flatMap((v) => opt(name, v)) : [];
}

/** Memories an agent records say which agent and run they came from. */
function callerMeta(caller: Caller): string[] {
  return [caller.agent && `agent=${caller.agent}`, caller.runId && `run=${caller.runId}`].filter((m): m is string => Boolean(m));
}

export interface ToolCallOutcome {
  ok: boolean;
  text: string;
}

/** Runs tool calls through the CLI of one workspace; the memory service stays open between calls. */
export class WorkspaceTools {
  private readonly caller: Caller;

  constructor(private readonly io: Omit<CliIo, 'stdout' | 'stderr'>) {
    this.caller = { agent: io.env.CLAUDE_PM_AGENT, runId: io.env.CLAUDE_PM_RUN_ID, step: io.env.CLAUDE_PM_STEP };
  }

  async call(tool: ToolName, args: Record<string, unknown>): Promise<ToolCallOutcome> {
    const spec = TOOLS[tool];
    const positionals = spec.positionals?.(args).map(String) ?? [];
    const argv = [...spec.argv(args, this.caller), '--format', 'json', ...(positionals.length ? ['--', ...positionals] : [])];
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, allCommands, SERVER_VERSION, { ...this.io, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    // A degraded project is still a health report, not a failed call.
    const ok = code === 0 || (tool === 'health_report' && code === 1 && stdout.trim() !== '');
    if (ok && isChange(argv)) await this.audit(tool, spec.target?.(args) ?? (typeof args.id === 'string' ? args.id : undefined));
    return { ok, text: ok ? stdout.trim() : stderr.trim() || `claude-pm ${argv.slice(0, 2).join(' ')} exited with code ${code}` };
  }

  private async audit(tool: ToolName, target: string | undefined): Promise<void> {
    const [{ AuditLog }, { resolveActor }] = await Promise.all([import('../../core/security/auditLog'), import('../../core/security/policy')]);
    const actor = await resolveActor(this.io.cwd, this.io.env);
    const details = Object.fromEntries(Object.entries({ agent: this.caller.agent, run: this.caller.runId, step: this.caller.step, via: TOOL_SERVER_NAME }).filter(([, v]) => v !== undefined));
    await AuditLog.forWorkspace(this.io.cwd)
      .append({ event: 'agent_action', actor, action: tool, ...(target ? { target } : {}), details })
      .catch((error: Error) => process.stderr.write(`claude-pm mcp: could not write the audit log: ${error.message}\n`));
  }
}

/** Commands that need a permission change something, and are audited. */
function isChange(argv: string[]): boolean {
  return allCommands.some((c) => c.permission !== undefined && c.path.every((word, i) => argv[i] === word));
}

/** Serves the tools over stdio until the client closes the connection. */
export async function serveTools(ctx: CliContext): Promise<void> {
  const config = await ctx.config();
  const apiKey = apiKeyFromEnv(config.memory.backend, ctx.env);
  const memory = createMemoryService(config, { logger: ctx.logger, ...(apiKey ? { apiKey } : {}) });
  const tools = new WorkspaceTools({ cwd: ctx.cwd, env: ctx.env, shared: { memory } });
  const server = new McpServer({ name: TOOL_SERVER_NAME, version: SERVER_VERSION });
  for (const [name, spec] of Object.entries(TOOLS) as [ToolName, ToolSpec][]) {
    server.registerTool(name, { description: spec.description, inputSchema: spec.input }, async (args: Record<string, unknown>) => {
      const outcome = await tools.call(name, args);
      return { content: [{ type: 'text' as const, text: outcome.text }], ...(outcome.ok ? {} : { isError: true }) };
    });
  }
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => (server.server.onclose = resolve));
  // The client going away ends stdin; it may have ended already when the command runs embedded in another program.
  const stdin = process.stdin;
  const ended = new Promise<void>((resolve) => (stdin.readableEnded || stdin.destroyed ? resolve() : stdin.once('end', resolve).once('close', resolve)));
  await server.connect(transport);
  await Promise.race([closed, ended]);
  await server.close();
  await memory.dispose();
}

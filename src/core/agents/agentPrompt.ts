import type { RunRequest } from './runner';
import type { AgentCatalog, ResolvedAgent } from './discoverAgents';

// What an agent is told: its role prompt with `base_agent.md` prepended (as the framework's prompt loader
// does), and the task in CLAUDE.md's delegation format so the agent reads it as the PM wrote it.

export function buildAgentPrompt(agent: ResolvedAgent, baseAgent: AgentCatalog['baseAgent']): string {
  return baseAgent ? `${baseAgent.text}\n\n---\n\n${agent.body}` : agent.body;
}

export interface DelegationInput {
  agent: Pick<ResolvedAgent, 'name'>;
  task: string;
  ticketId?: string;
  now?: Date;
}

/** The delegation block from CLAUDE.md: agent line, temporal context, ticket, task, expectations. */
export function formatDelegation({ agent, task, ticketId, now = new Date() }: DelegationInput): string {
  const name = /\bagent$/i.test(agent.name) ? agent.name : `${agent.name} Agent`;
  const summary = task.trim().split(/\r?\n/)[0]!;
  const lines = [
    `**${name}**: ${summary}`,
    '',
    `TEMPORAL CONTEXT: Today is ${now.toISOString().slice(0, 10)}. Apply date awareness to this task.`,
    ...(ticketId ? [`**Ticket Reference**: ${ticketId}`] : []),
    `**Task**: ${task.trim()}`,
    '**Expected Results**: A short report of what you did, the files you changed and anything left open.',
    '**Escalation**: Stop and report back to the PM when the task is outside your authority or blocked.',
  ];
  return lines.join('\n');
}

/**
 * The model to pass to `claude --model`. The role files name retired models (`claude-3-sonnet`); those map
 * to the family alias so the CLI picks that family's current model. Anything else is passed as written.
 */
export function cliModelFor(model: string | undefined): string | undefined {
  if (!model) return undefined;
  const legacy = /^claude-3(?:[-.]\d+)?-(opus|sonnet|haiku)$/i.exec(model.trim());
  if (legacy) return legacy[1]!.toLowerCase();
  if (/^(opus|sonnet|haiku|inherit)$/i.test(model.trim())) return model.trim().toLowerCase() === 'inherit' ? undefined : model.trim().toLowerCase();
  return model.trim();
}

export interface AgentTaskOptions {
  task: string;
  ticketId?: string;
  cwd: string;
  timeoutMs?: number;
  maxTurns?: number;
  signal?: AbortSignal;
  onEvent?: RunRequest['onEvent'];
  now?: Date;
}

/** Everything a runner needs to run `agent` on a task. */
export function agentRunRequest(catalog: AgentCatalog, agent: ResolvedAgent, options: AgentTaskOptions): RunRequest {
  return {
    agentType: agent.type,
    task: formatDelegation({ agent, task: options.task, ticketId: options.ticketId, now: options.now }),
    cwd: options.cwd,
    systemPrompt: buildAgentPrompt(agent, catalog.baseAgent),
    model: cliModelFor(agent.model),
    allowedTools: agent.tools,
    maxTurns: options.maxTurns,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    onEvent: options.onEvent,
  };
}

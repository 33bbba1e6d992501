import { lazyCommands } from '../lazyCommands';

/** Declarations only: the handlers in ../handlers/agents load when one of these commands runs. */
export const agentsCommands = lazyCommands(() => import('../handlers/agents').then((m) => m.agentsHandlers), {
  agentsList: {
    path: ['agents', 'list'],
    summary: 'List the agents of every tier (project, user, system), with what each overrides',
  },
  delegate: {
    path: ['delegate'],
    summary: 'Run a task with an agent (the Claude Code CLI, or the shell command configured for the agent type)',
    args: 'TASK',
    permission: 'task.delegate',
    options: {
      agent: { type: 'string' },
      runner: { type: 'string' },
      ticket: { type: 'string' },
      timeout: { type: 'string' },
      'max-turns': { type: 'string' },
      isolation: { type: 'string' },
    },
  },
});

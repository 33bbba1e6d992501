import { lazyCommands } from '../lazyCommands';

/** Declarations only: the handlers in ../handlers/orchestration load when one of these commands runs. */
export const orchestrationCommands = lazyCommands(() => import('../handlers/orchestration').then((m) => m.orchestrationHandlers), {
  workflowRun: {
    path: ['workflow', 'run'],
    summary: 'Run a workflow file; live step output goes to stderr, the result (run id, status, steps) to stdout',
    args: 'FILE',
    permission: 'workflow.run',
    options: { context: { type: 'string', multiple: true }, runner: { type: 'string' }, 'skip-memory': { type: 'boolean' } },
  },
  workflowValidate: {
    path: ['workflow', 'validate'],
    summary: 'Check a workflow file: schema, dependencies, cycles and conditions, with line numbers',
    args: 'FILE',
  },
  workflowRuns: {
    path: ['workflow', 'runs'],
    summary: 'List recorded runs, newest first; --team lists every teammate\'s runs from the team database',
    options: { limit: { type: 'string' }, team: { type: 'boolean' } },
  },
  workflowCosts: {
    path: ['workflow', 'costs'],
    summary: 'What agents spent (cost, tokens, tool calls) over recorded runs, per agent type, per day and per run; --team sums the team database\'s runs, also per user',
    options: { days: { type: 'string' }, team: { type: 'boolean' } },
  },
});

import { lazyCommands } from '../lazyCommands';

/** Declarations only: the handlers in ../handlers/sync load when one of these commands runs. */
export const syncCommands = lazyCommands(() => import('../handlers/sync').then((m) => m.syncHandlers), {
  syncGithub: {
    path: ['sync', 'github'],
    summary: 'Sync GitHub issues and tickets: issues become tickets, state changes and notes made here go back; an issue changed on both sides is reported (exit 1), never overwritten. Needs GITHUB_TOKEN',
    permission: 'ticket.write',
    options: {
      repo: { type: 'string' },
      'base-url': { type: 'string' },
      'dry-run': { type: 'boolean' },
      prefer: { type: 'string' },
      'milestones-as-epics': { type: 'boolean' },
      'max-wait': { type: 'string' },
      root: { type: 'string' },
    },
  },
});

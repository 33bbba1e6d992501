import { lazyCommands } from '../lazyCommands';

/** Declarations only: the handlers in ../handlers/events load when one of these commands runs. */
export const eventsCommands = lazyCommands(() => import('../handlers/events').then((m) => m.eventsHandlers), {
  serve: {
    path: ['serve'],
    summary: 'Listen for GitHub, GitLab and generic webhooks and run the workflows their triggers match (needs CLAUDE_PM_WEBHOOK_SECRET)',
    permission: 'workflow.run',
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'max-body-bytes': { type: 'string' },
      'rate-limit': { type: 'string' },
      grace: { type: 'string' },
      runner: { type: 'string' },
    },
  },
  eventsList: {
    path: ['events', 'list'],
    summary: 'List accepted webhook deliveries, newest first, with the runs they started',
    options: { limit: { type: 'string' } },
  },
  eventsRedeliver: {
    path: ['events', 'redeliver'],
    summary: 'Run the workflows of a delivery again from its kept payload (kept while one of its runs failed)',
    args: 'DELIVERY_ID',
    permission: 'workflow.run',
    options: { runner: { type: 'string' } },
  },
});

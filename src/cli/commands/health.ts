import { lazyCommands } from '../lazyCommands';

/** Declarations only: the handlers in ../handlers/health load when one of these commands runs. */
export const healthCommands = lazyCommands(() => import('../handlers/health').then((m) => m.healthHandlers), {
  health: {
    path: ['health'],
    summary: 'Check services, projects (git) and framework compliance; exit 0 when healthy, 1 when degraded or critical',
    options: { output: { type: 'string', short: 'o' } },
  },
  monitor: {
    path: ['monitor'],
    summary: 'Check health every --interval seconds for --duration seconds (0: until stopped) and write the samples; exit 0 when every sample was healthy',
    options: { duration: { type: 'string' }, interval: { type: 'string' }, output: { type: 'string', short: 'o' } },
  },
  alerts: {
    path: ['alerts'],
    summary: 'List the alerts health checks and the monitor raised (.claude-pm/logs/health-alerts.json), repeats folded',
    options: { since: { type: 'string' } },
    optionHelp: { since: 'how far back: 30m, 1h, 2d, 1w (default 24h)' },
  },
  reports: {
    path: ['reports'],
    summary: 'List the recorded health checks, newest first, and where the latest full report is',
    options: { limit: { type: 'string' } },
    optionHelp: { limit: 'how many checks to list (default 20)' },
  },
  diagnose: {
    path: ['diagnose'],
    summary: 'Troubleshoot the memory service (health, TCP, authentication, latency) and agents (discovery, Claude CLI, failure rate)',
  },
});

import { lazyCommands } from '../lazyCommands';

/** `claude-pm config show`: the effective configuration and any problems in the file. Declarations only: the handlers in ../handlers/config load when one of these commands runs. */
export const configCommands = lazyCommands(() => import('../handlers/config').then((m) => m.configHandlers), {
  configShow: {
    path: ['config', 'show'],
    summary: 'Show the effective configuration (file, environment overrides) and its diagnostics',
  },
});

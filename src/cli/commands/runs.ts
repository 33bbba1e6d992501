import { lazyCommands } from '../lazyCommands';

/** Declarations only: the handlers in ../handlers/runs load when one of these commands runs. */
export const runsCommands = lazyCommands(() => import('../handlers/runs').then((m) => m.runsHandlers), {
  runsChanges: {
    path: ['runs', 'changes'],
    summary: "List the files a run changed (added, modified, deleted), from its checkpoints, and whether each is still as the run left it",
    args: 'RUN',
  },
  runsRevert: {
    path: ['runs', 'revert'],
    summary: 'Restore the files a run changed to their content before it; files changed since the run are left alone unless --force',
    args: 'RUN',
    permission: 'task.delegate',
    options: { force: { type: 'boolean' } },
  },
  runsContinue: {
    path: ['runs', 'continue'],
    summary: "Send a follow-up message to a finished delegated run, or with --step NAME to a step of a finished workflow run, in the same Claude Code session (--resume); recorded under the same run (and step)",
    args: 'RUN MESSAGE',
    permission: 'task.delegate',
    options: { timeout: { type: 'string' }, step: { type: 'string' } },
  },
});

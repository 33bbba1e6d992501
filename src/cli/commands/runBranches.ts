import { lazyCommands } from '../lazyCommands';

/** Declarations only: the handlers in ../handlers/runBranches load when one of these commands runs. */
export const runBranchCommands = lazyCommands(() => import('../handlers/runBranches').then((m) => m.runBranchHandlers), {
  runsDiff: {
    path: ['runs', 'diff'],
    summary: "What a run's isolated steps changed on their branches, against the commit they started from (--patch for the whole diff)",
    args: 'RUN',
    options: { step: { type: 'string' }, patch: { type: 'boolean' } },
  },
  runsApply: {
    path: ['runs', 'apply'],
    summary: "Merge a run's isolated branches into the current branch; on conflicts the merge stays open for you to resolve",
    args: 'RUN',
    permission: 'task.delegate',
    options: { step: { type: 'string' } },
  },
  runsDiscard: {
    path: ['runs', 'discard'],
    summary: "Delete a run's isolated branches and the changes only they hold",
    args: 'RUN',
    permission: 'task.delegate',
    options: { step: { type: 'string' } },
  },
});

// A long command (a delegation, a workflow run) must stop the processes it started however it is asked to
// stop: Ctrl-C (SIGINT), a CI runner or `kill` (SIGTERM), a closed terminal (SIGHUP). Without a handler Node exits
// at once on SIGTERM and SIGHUP and leaves the agents' process groups running.
const TERMINATING_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Calls `stop` once on the first terminating signal, until the returned function removes the handlers. */
export function onTermination(stop: (signal: NodeJS.Signals) => void): () => void {
  let stopped = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopped) return;
    stopped = true;
    stop(signal);
  };
  for (const signal of TERMINATING_SIGNALS) process.on(signal, handler);
  return () => {
    for (const signal of TERMINATING_SIGNALS) process.removeListener(signal, handler);
  };
}

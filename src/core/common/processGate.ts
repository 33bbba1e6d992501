import { simpleGit, type SimpleGit, type SimpleGitOptions } from 'simple-git';

// The one gate every child process of the product passes: git (through `gitClient`), agents and workflow
// commands (the process tree) and the `claude --version` probe. The editor closes it in Restricted Mode, so a
// cloned repository's git config (`core.fsmonitor`, hooks), workflow commands and agent command templates never
// run there. The CLI leaves it open: whoever types a command in a folder trusts that folder.

/** Refused because the gate is closed; the message says why and what to do. */
export class ProcessesBlockedError extends Error {
  constructor(what: string, reason: string) {
    super(`${what} was not started: ${reason}`);
    this.name = 'ProcessesBlockedError';
  }
}

let closedReason: string | undefined;
// Aborting it stops every git task of clients made while the gate was open too, before or while it spawns.
let gitAbort = new AbortController();

/** Refuses every child process from now on, with `reason` in each error (e.g. "the workspace is in Restricted Mode"). */
export function closeProcessGate(reason: string): void {
  closedReason = reason;
  gitAbort.abort();
}

/** Allows child processes again (the user trusted the workspace). */
export function openProcessGate(): void {
  closedReason = undefined;
  if (gitAbort.signal.aborted) gitAbort = new AbortController();
}

/** Whether child processes may start now. */
export function processesAllowed(): boolean {
  return closedReason === undefined;
}

/** Throws ProcessesBlockedError naming `what` when the gate is closed; call right before spawning. */
export function assertMayStartProcess(what: string): void {
  if (closedReason !== undefined) throw new ProcessesBlockedError(what, closedReason);
}

/**
 * The only way the product runs git: throws ProcessesBlockedError while the gate is closed, and the client's
 * tasks are aborted if it closes later.
 */
export function gitClient(options: Partial<SimpleGitOptions> & { baseDir: string }): SimpleGit {
  assertMayStartProcess('git');
  return simpleGit({ ...options, abort: gitAbort.signal });
}

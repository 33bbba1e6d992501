import { spawn, spawnSync } from 'node:child_process';
import { assertMayStartProcess } from '../common/processGate';

// Runs one child process as the leader of its own process group, so stopping it stops everything it
// started (a shell's children, the CLI's tool processes): SIGTERM to the group, SIGKILL after a grace period.

export type ProcessOutcome = 'exited' | 'cancelled' | 'timed_out' | 'spawn_failed';

export interface ManagedProcessOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Written to the child's stdin, which is then closed. */
  stdin?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** How long the group gets between SIGTERM and SIGKILL. */
  graceMs?: number;
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
}

export interface ManagedProcessResult {
  outcome: ProcessOutcome;
  exitCode: number | null;
  /** The signal that ended the leader, if any. */
  exitSignal: NodeJS.Signals | null;
  pid?: number;
  /** Set when the process could not start (ENOENT, EACCES…). */
  spawnError?: NodeJS.ErrnoException;
}

export const DEFAULT_GRACE_MS = 2000;

/** Starts `command args` and resolves once it and its group are gone; never rejects. */
export function runManagedProcess(command: string, args: readonly string[], options: ManagedProcessOptions): Promise<ManagedProcessResult> {
  return new Promise((resolve) => {
    if (options.signal?.aborted) {
      resolve({ outcome: 'cancelled', exitCode: null, exitSignal: null });
      return;
    }
    try {
      assertMayStartProcess(`'${command}'`);
    } catch (error) {
      resolve({ outcome: 'spawn_failed', exitCode: null, exitSignal: null, spawnError: error as NodeJS.ErrnoException });
      return;
    }
    const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      detached: process.platform !== 'win32',
      windowsHide: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stopReason: 'cancelled' | 'timed_out' | undefined;
    let exitCode: number | null = null;
    let exitSignal: NodeJS.Signals | null = null;
    let killTimer: NodeJS.Timeout | undefined;
    let settled = false;

    const stopGroup = () => {
      if (killTimer) return;
      signalGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), graceMs);
      killTimer.unref?.();
    };
    let exited = false;
    const stop = (reason: 'cancelled' | 'timed_out') => {
      // A stop that comes after the leader ended on its own does not change how it ended.
      if (!exited) stopReason ??= reason;
      stopGroup();
    };
    const onAbort = () => stop('cancelled');
    const timeout = options.timeoutMs && options.timeoutMs > 0 ? setTimeout(() => stop('timed_out'), options.timeoutMs) : undefined;
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const finish = (result: ManagedProcessResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timeout);
      clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };

    child.stdout.on('data', (chunk: Buffer) => options.onStdout?.(chunk));
    child.stderr.on('data', (chunk: Buffer) => options.onStderr?.(chunk));
    // A child that exits without reading its stdin makes the write fail with EPIPE: harmless.
    child.stdin.on('error', () => {});
    child.stdin.end(options.stdin ?? '');

    child.on('error', (error: NodeJS.ErrnoException) => {
      if (child.pid === undefined) finish({ outcome: 'spawn_failed', exitCode: null, exitSignal: null, spawnError: error });
    });
    child.on('exit', (code, signal) => {
      exited = true;
      exitCode = code;
      exitSignal = signal;
      // Whatever the leader left running in its group (background jobs holding the pipes) goes with it.
      signalGroup(child.pid, 'SIGTERM');
      if (!killTimer) {
        killTimer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), graceMs);
        killTimer.unref?.();
      }
    });
    child.on('close', () => {
      // No straggler may outlive the run, even one that ignores SIGTERM and closed its pipes.
      signalGroup(child.pid, 'SIGKILL');
      finish({ outcome: stopReason ?? 'exited', exitCode, exitSignal, pid: child.pid });
    });
  });
}

/** Sends `signal` to the whole process group led by `pid` (taskkill /T on Windows). Missing groups are fine. */
export function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  if (process.platform === 'win32') {
    spawnSync('taskkill', ['/pid', String(pid), '/T', ...(signal === 'SIGKILL' ? ['/F'] : [])], { windowsHide: true });
    return;
  }
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** Keeps the last `maxChars` characters of a stream, cheaply, whatever its total size. */
export class TailBuffer {
  private parts: string[] = [];
  private size = 0;
  totalChars = 0;

  constructor(private readonly maxChars: number) {}

  push(text: string): void {
    this.totalChars += text.length;
    this.parts.push(text);
    this.size += text.length;
    while (this.parts.length > 1 && this.size - this.parts[0]!.length >= this.maxChars) this.size -= this.parts.shift()!.length;
  }

  toString(): string {
    const joined = this.parts.join('');
    return joined.length > this.maxChars ? joined.slice(joined.length - this.maxChars) : joined;
  }
}

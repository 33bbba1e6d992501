import { spawn } from 'node:child_process';
import type { Clock } from '../../../src/core/orchestration/clock';
import type { AgentRunner, RunRequest, RunResult } from '../../../src/core/orchestration/runner';

/** A clock whose sleeps return at once but move time forward; records every sleep. */
export class InstantClock implements Clock {
  time = Date.parse('2026-01-01T00:00:00Z');
  readonly sleeps: number[] = [];
  now(): number {
    return this.time;
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    this.sleeps.push(ms);
    this.time += ms;
  }
}

/** A clock moved by hand; sleepers wake when `advance` passes their deadline. */
export class ManualClock implements Clock {
  time = 0;
  private sleepers: { at: number; resolve: () => void }[] = [];
  now(): number {
    return this.time;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const sleeper = { at: this.time + ms, resolve };
      this.sleepers.push(sleeper);
      signal?.addEventListener('abort', () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(signal.reason);
      });
    });
  }
  advance(ms: number): void {
    this.time += ms;
    const due = this.sleepers.filter((s) => s.at <= this.time);
    this.sleepers = this.sleepers.filter((s) => s.at > this.time);
    for (const s of due) s.resolve();
  }
}

export type Behaviour = (request: RunRequest, call: number) => Promise<Partial<RunResult>> | Partial<RunResult>;

/** An in-test AgentRunner: the engine's dependency, scripted per call; records requests and concurrency. */
export class ScriptedRunner implements AgentRunner {
  readonly kind = 'scripted';
  readonly requests: RunRequest[] = [];
  running = 0;
  peak = 0;
  constructor(private readonly behaviour: Behaviour = () => ({})) {}
  async run(request: RunRequest): Promise<RunResult> {
    const call = this.requests.push(request);
    this.running++;
    this.peak = Math.max(this.peak, this.running);
    try {
      const partial = await this.behaviour(request, call);
      return { status: 'succeeded', exitCode: 0, output: '', durationMs: 0, ...partial };
    } finally {
      this.running--;
    }
  }
}

/** Resolves after the current macrotask queue drains, so other async work gets a turn. */
export function tick(ms = 0): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * A minimal real-process runner for engine tests: runs the task with `sh -c` in its own process group
 * and kills the group on abort or timeout (SIGTERM, SIGKILL after 200 ms). Reports spawned pids.
 */
export class ShellRunner implements AgentRunner {
  readonly kind = 'shell';
  readonly pids: number[] = [];
  run(request: RunRequest): Promise<RunResult> {
    const started = Date.now();
    return new Promise((resolve) => {
      const child = spawn('sh', ['-c', request.task], { cwd: request.cwd, detached: true, env: { ...process.env, ...request.env }, stdio: ['ignore', 'pipe', 'pipe'] });
      if (child.pid) this.pids.push(child.pid);
      let output = '';
      let stopped: 'cancelled' | 'timed_out' | undefined;
      child.stdout.on('data', (d: Buffer) => {
        output += d.toString();
        request.onEvent?.({ kind: 'stdout', text: d.toString() });
      });
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const kill = (why: 'cancelled' | 'timed_out') => {
        stopped ??= why;
        try {
          process.kill(-child.pid!, 'SIGTERM');
        } catch {
          return;
        }
        setTimeout(() => {
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            // already gone
          }
        }, 200).unref();
      };
      const onAbort = () => kill('cancelled');
      request.signal?.addEventListener('abort', onAbort, { once: true });
      const timer = request.timeoutMs ? setTimeout(() => kill('timed_out'), request.timeoutMs) : undefined;
      child.on('close', (code) => {
        clearTimeout(timer);
        request.signal?.removeEventListener('abort', onAbort);
        const status = stopped ?? (code === 0 ? 'succeeded' : 'failed');
        resolve({ status, exitCode: code, output: output.slice(-2000), durationMs: Date.now() - started, error: status === 'failed' ? `exit code ${code}` : undefined });
      });
    });
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

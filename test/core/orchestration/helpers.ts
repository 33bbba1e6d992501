import type { Clock } from '../../../src/core/orchestration/clock';
import type { AgentRunner, RunRequest, RunResult } from '../../../src/core/agents/runner';

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


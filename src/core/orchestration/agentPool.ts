import type { AgentRunner, RunRequest, RunResult } from '../agents/runner';

export const LOAD_BALANCING = ['round_robin', 'weighted_round_robin', 'least_busy'] as const;
export type LoadBalancing = (typeof LOAD_BALANCING)[number];

export interface PoolInstance {
  id: string;
  runner: AgentRunner;
  /** For weighted_round_robin; default 1. */
  weight?: number;
}

export interface PoolInstanceStatus {
  id: string;
  healthy: boolean;
  busy: number;
  consecutiveFailures: number;
  runs: number;
}

interface Slot extends PoolInstanceStatus {
  runner: AgentRunner;
  weight: number;
  /** Smooth weighted round-robin state. */
  current: number;
}

/**
 * Several runner instances for one agent type behind one AgentRunner: each run goes to the instance the
 * strategy picks; an instance that fails `failureThreshold` times in a row is taken out of rotation.
 * Cancellation is not the instance's fault and does not count.
 */
export class AgentPool implements AgentRunner {
  readonly kind = 'pool';
  private readonly slots: Slot[];
  private cursor = 0;

  constructor(
    instances: readonly PoolInstance[],
    private readonly strategy: LoadBalancing = 'round_robin',
    private readonly failureThreshold = 3,
  ) {
    if (instances.length === 0) throw new RangeError('an agent pool needs at least one instance');
    this.slots = instances.map((i) => ({ id: i.id, runner: i.runner, weight: Math.max(1, i.weight ?? 1), current: 0, healthy: true, busy: 0, consecutiveFailures: 0, runs: 0 }));
  }

  status(): PoolInstanceStatus[] {
    return this.slots.map(({ id, healthy, busy, consecutiveFailures, runs }) => ({ id, healthy, busy, consecutiveFailures, runs }));
  }

  /** Puts an instance taken out back into rotation (e.g. after a health check). */
  restore(id: string): void {
    const slot = this.slots.find((s) => s.id === id);
    if (slot) {
      slot.healthy = true;
      slot.consecutiveFailures = 0;
    }
  }

  async run(request: RunRequest): Promise<RunResult> {
    const slot = this.pick();
    if (!slot) {
      return { status: 'failed', exitCode: null, output: '', durationMs: 0, error: `every instance of the ${request.agentType} pool failed ${this.failureThreshold} times in a row and was taken out` };
    }
    slot.busy++;
    slot.runs++;
    try {
      const result = await slot.runner.run(request);
      if (result.status === 'succeeded') slot.consecutiveFailures = 0;
      else if (result.status !== 'cancelled' && ++slot.consecutiveFailures >= this.failureThreshold) slot.healthy = false;
      return result;
    } finally {
      slot.busy--;
    }
  }

  private pick(): Slot | undefined {
    const healthy = this.slots.filter((s) => s.healthy);
    if (healthy.length === 0) return undefined;
    if (this.strategy === 'weighted_round_robin') {
      // nginx's smooth weighted round-robin: even spread, exact proportions over a cycle.
      const total = healthy.reduce((sum, s) => sum + s.weight, 0);
      let best = healthy[0]!;
      for (const s of healthy) {
        s.current += s.weight;
        if (s.current > best.current) best = s;
      }
      best.current -= total;
      return best;
    }
    if (this.strategy === 'least_busy') {
      // Ties go round-robin so equally idle instances share the work.
      const start = this.cursor++ % healthy.length;
      let best = healthy[start]!;
      for (let k = 1; k < healthy.length; k++) {
        const s = healthy[(start + k) % healthy.length]!;
        if (s.busy < best.busy) best = s;
      }
      return best;
    }
    return healthy[this.cursor++ % healthy.length];
  }
}

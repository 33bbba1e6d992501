import { ownValue } from '../common/ownKeys';

/** Gives back a slot taken with `acquire`; calling it twice is harmless. */
export type Release = () => void;

interface Waiter {
  type: string;
  resolve: (release: Release) => void;
  reject: (reason: unknown) => void;
  signal?: AbortSignal;
  /** Set when its signal aborted while it waited; drain skips it. */
  gone?: boolean;
}

/**
 * Slots for agent steps: a global limit (adjustable at run time, e.g. by adaptive concurrency) and an
 * optional limit per agent type. Waiters are served first-in first-out per type and round-robin across
 * types, so one busy type cannot starve the others. All operations are O(1) amortised per step.
 */
export class ConcurrencyLimiter {
  private active = 0;
  private readonly activeByType = new Map<string, number>();
  private readonly queues = new Map<string, { items: Waiter[]; head: number }>();
  /** Types with waiters, in the order they are served. */
  private readonly waitingTypes: string[] = [];
  private peak = 0;
  /** Waiters by signal, so thousands of waiters of one run share one abort listener. */
  private readonly bySignal = new Map<AbortSignal, Set<Waiter>>();

  constructor(
    private globalLimit: number,
    private readonly perType: Readonly<Record<string, number>> = {},
  ) {
    if (!(globalLimit >= 1)) throw new RangeError('the concurrency limit must be at least 1');
  }

  get limit(): number {
    return this.globalLimit;
  }

  /** The most slots ever held at once. */
  get peakActive(): number {
    return this.peak;
  }

  activeCount(type?: string): number {
    return type === undefined ? this.active : (this.activeByType.get(type) ?? 0);
  }

  setLimit(limit: number): void {
    this.globalLimit = Math.max(1, Math.floor(limit));
    this.drain();
  }

  /** Waits for a slot for `type`; rejects with the signal's reason if it aborts while waiting. */
  acquire(type: string, signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.fits(type) && !this.queues.get(type)?.items.length) return Promise.resolve(this.take(type));
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = { type, resolve, reject, signal };
      let queue = this.queues.get(type);
      if (!queue) this.queues.set(type, (queue = { items: [], head: 0 }));
      if (queue.head === queue.items.length) this.waitingTypes.push(type);
      queue.items.push(waiter);
      if (signal) this.watch(signal, waiter);
    });
  }

  private watch(signal: AbortSignal, waiter: Waiter): void {
    let waiters = this.bySignal.get(signal);
    if (!waiters) {
      const set = (waiters = new Set());
      this.bySignal.set(signal, set);
      signal.addEventListener(
        'abort',
        () => {
          this.bySignal.delete(signal);
          // Leave holes in the queues; drain skips them.
          for (const w of set) {
            w.gone = true;
            w.reject(signal.reason);
          }
          this.drain();
        },
        { once: true },
      );
    }
    waiters.add(waiter);
  }

  private fits(type: string): boolean {
    const typeLimit = ownValue(this.perType, type);
    return this.active < this.globalLimit && (typeLimit === undefined || (this.activeByType.get(type) ?? 0) < typeLimit);
  }

  private take(type: string): Release {
    this.active++;
    this.peak = Math.max(this.peak, this.active);
    this.activeByType.set(type, (this.activeByType.get(type) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.activeByType.set(type, this.activeByType.get(type)! - 1);
      this.drain();
    };
  }

  private drain(): void {
    let blockedInARow = 0;
    while (this.active < this.globalLimit && this.waitingTypes.length > 0 && blockedInARow < this.waitingTypes.length) {
      const type = this.waitingTypes.shift()!;
      const queue = this.queues.get(type)!;
      if (!this.fits(type)) {
        this.waitingTypes.push(type);
        blockedInARow++;
        continue;
      }
      const waiter = queue.items[queue.head]!;
      queue.items[queue.head++] = undefined as unknown as Waiter;
      if (queue.head === queue.items.length) {
        queue.items = [];
        queue.head = 0;
      } else {
        this.waitingTypes.push(type);
      }
      blockedInARow = 0;
      if (waiter.gone) continue;
      if (waiter.signal) this.bySignal.get(waiter.signal)?.delete(waiter);
      waiter.resolve(this.take(type));
    }
  }
}

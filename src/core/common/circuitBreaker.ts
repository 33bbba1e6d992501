/** Where the breaker reads the time; the engine's clock and `{ now: Date.now }` both fit. */
export interface TimeSource {
  now(): number;
}

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long it stays open before a probe is let through. */
  recoveryTimeoutMs: number;
  /** Successful probes needed in half-open to close it again. */
  successThreshold: number;
}

// The seed's defaults for agents: 5 failures, 60 s recovery.
export const DEFAULT_BREAKER: BreakerOptions = { failureThreshold: 5, recoveryTimeoutMs: 60_000, successThreshold: 1 };

/**
 * A circuit breaker (per agent type in the engine, per server in the mem0 client): closed → open after repeated failures, open → half-open after the
 * recovery timeout (one probe at a time), half-open → closed after enough successes or back to open on failure.
 */
export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private failures = 0;
  private successes = 0;
  private openedAt = 0;
  private probing = false;

  constructor(
    private readonly clock: TimeSource,
    private readonly options: BreakerOptions = DEFAULT_BREAKER,
    private readonly onChange: (state: BreakerState) => void = () => undefined,
  ) {}

  get state(): BreakerState {
    if (this.current === 'open' && this.clock.now() - this.openedAt >= this.options.recoveryTimeoutMs) this.transition('half_open');
    return this.current;
  }

  /** Whether a call may go through now; in half-open only one probe at a time. Pair with `record`. */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.probing) return false;
    this.probing = true;
    return true;
  }

  /** Milliseconds until an open circuit lets a probe through (0 when not open). */
  retryInMs(): number {
    return this.state === 'open' ? Math.max(0, this.openedAt + this.options.recoveryTimeoutMs - this.clock.now()) : 0;
  }

  /** Frees the probe slot of a call that ended without a verdict (e.g. cancelled). */
  abandon(): void {
    this.probing = false;
  }

  record(success: boolean): void {
    this.probing = false;
    if (success) {
      this.failures = 0;
      if (this.current === 'half_open' && ++this.successes >= this.options.successThreshold) this.transition('closed');
      return;
    }
    this.failures++;
    if (this.current === 'half_open' || (this.current === 'closed' && this.failures >= this.options.failureThreshold)) {
      this.openedAt = this.clock.now();
      this.transition('open');
    }
  }

  private transition(state: BreakerState): void {
    if (state === this.current) return;
    this.current = state;
    this.successes = 0;
    if (state === 'closed') this.failures = 0;
    this.onChange(state);
  }
}

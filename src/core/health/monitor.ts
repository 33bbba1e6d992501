/**
 * Runs a check on an interval without ever overlapping: the next run is scheduled only after the
 * previous one finished, and a manual `runNow` while a run is in flight joins that run.
 */
export class HealthMonitor<T> {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inFlight: Promise<T> | undefined;
  private stopped = true;

  constructor(
    private readonly check: () => Promise<T>,
    private intervalMs: number,
    /** Asked before each scheduled run (not manual ones); false skips that run, e.g. while the window is unfocused. */
    private readonly shouldRun: () => boolean = () => true,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** Starts the schedule; the first scheduled run happens after `firstDelayMs`. An interval of 0 means manual only. */
  start(firstDelayMs = this.intervalMs): void {
    this.stopped = false;
    this.schedule(firstDelayMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Changes the interval; the pending run is rescheduled from now. */
  setInterval(ms: number): void {
    this.intervalMs = ms;
    if (!this.stopped && !this.inFlight) this.schedule(ms);
  }

  get running(): boolean {
    return this.inFlight !== undefined;
  }

  /** Runs a check now, or returns the one already running. */
  runNow(): Promise<T> {
    if (this.inFlight) return this.inFlight;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const run = this.check().finally(() => {
      this.inFlight = undefined;
      if (!this.stopped) this.schedule(this.intervalMs);
    });
    this.inFlight = run;
    return run;
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopped || (this.intervalMs <= 0 && delayMs === this.intervalMs)) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.shouldRun()) return this.schedule(this.intervalMs);
      this.runNow().catch(this.onError);
    }, delayMs);
    // A pending health check must never keep a process alive on its own.
    (this.timer as { unref?: () => void }).unref?.();
  }
}

import type { AuditEvent } from './auditLog';

// Per-host authentication lockout, as the framework's Mem0AIAuthenticator: after `maxFailures` failures within
// the window, the host is refused for the window. Counted in memory: a restart forgets, as upstream.

export interface LockoutOptions {
  maxFailures?: number;
  windowMs?: number;
  now?: () => number;
  /** Receives auth_success, auth_failure and auth_lockout events, e.g. to append them to the audit log. */
  onEvent?: (event: AuditEvent) => void;
}

export const DEFAULT_MAX_AUTH_FAILURES = 5;
export const DEFAULT_LOCKOUT_MS = 15 * 60_000;

/** Thrown instead of sending a request to a locked host. */
export class AuthLockedError extends Error {
  constructor(
    readonly host: string,
    readonly until: Date,
  ) {
    super(`authentication to ${host} is locked after repeated failures until ${until.toISOString()}; check the API key`);
    this.name = 'AuthLockedError';
  }
}

/**
 * Tracks failures per host. Call `check(url)` before authenticating, then `recordSuccess`/`recordFailure`.
 * The memory client can share one instance per extension host or CLI run.
 */
export class AuthLockout {
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  private readonly onEvent: (event: AuditEvent) => void;
  private readonly failures = new Map<string, number[]>();
  private readonly lockedUntil = new Map<string, number>();

  constructor(options: LockoutOptions = {}) {
    this.maxFailures = Math.max(1, options.maxFailures ?? DEFAULT_MAX_AUTH_FAILURES);
    this.windowMs = Math.max(1, options.windowMs ?? DEFAULT_LOCKOUT_MS);
    this.now = options.now ?? Date.now;
    this.onEvent = options.onEvent ?? (() => undefined);
  }

  /** The end of the lockout of `url`'s host, or undefined when requests may go out. */
  lockedUntilFor(url: string): Date | undefined {
    const until = this.lockedUntil.get(hostOf(url));
    if (until === undefined || until <= this.now()) return undefined;
    return new Date(until);
  }

  /** Throws AuthLockedError while `url`'s host is locked. */
  check(url: string): void {
    const until = this.lockedUntilFor(url);
    if (until) throw new AuthLockedError(hostOf(url), until);
  }

  recordSuccess(url: string): void {
    const host = hostOf(url);
    this.failures.delete(host);
    this.lockedUntil.delete(host);
    this.onEvent({ event: 'auth_success', actor: 'system', action: 'authenticate', target: host });
  }

  /** Counts a failure; returns whether the host is now locked. */
  recordFailure(url: string, details: { statusCode?: number; error?: string } = {}): boolean {
    const host = hostOf(url);
    const now = this.now();
    const recent = (this.failures.get(host) ?? []).filter((t) => now - t < this.windowMs);
    recent.push(now);
    this.failures.set(host, recent);
    this.onEvent({ event: 'auth_failure', actor: 'system', action: 'authenticate', target: host, details: { failure_count: recent.length, ...details } });
    if (recent.length < this.maxFailures) return false;
    this.lockedUntil.set(host, now + this.windowMs);
    this.failures.delete(host);
    this.onEvent({ event: 'auth_lockout', actor: 'system', action: 'authenticate', target: host, details: { failure_count: recent.length, locked_until: new Date(now + this.windowMs).toISOString() } });
    return true;
  }
}

/** The framework's overrides: MEM0AI_MAX_AUTH_FAILURES and MEM0AI_AUTH_LOCKOUT_MINUTES. */
export function lockoutOptionsFromEnv(env: NodeJS.ProcessEnv): Pick<LockoutOptions, 'maxFailures' | 'windowMs'> {
  const failures = positiveInt(env.MEM0AI_MAX_AUTH_FAILURES);
  const minutes = positiveInt(env.MEM0AI_AUTH_LOCKOUT_MINUTES);
  return { maxFailures: failures ?? DEFAULT_MAX_AUTH_FAILURES, windowMs: minutes === undefined ? DEFAULT_LOCKOUT_MS : minutes * 60_000 };
}

function positiveInt(value: string | undefined): number | undefined {
  const n = Number(value);
  return value !== undefined && Number.isInteger(n) && n > 0 ? n : undefined;
}

// The lockout key: host and port, so two services on one machine are counted apart.
function hostOf(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
}

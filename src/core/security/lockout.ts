import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../common/atomicFile';
import { userConfigDir } from '../common/userConfigDir';
import type { AuditEvent } from './auditLog';

// Per-host authentication lockout, as the framework's Mem0AIAuthenticator: after `maxFailures` failures within
// the window, the host is refused for the window. With a state file the count is shared by every process of the
// user (each CLI run is a new process: counted in memory, a lockout would never trigger from the CLI).

export interface LockoutOptions {
  maxFailures?: number;
  windowMs?: number;
  now?: () => number;
  /** Receives auth_success, auth_failure and auth_lockout events, e.g. to append them to the audit log. */
  onEvent?: (event: AuditEvent) => void;
  /** Where the counts are kept between processes (see `lockoutStateFile`); in memory only when absent. */
  stateFile?: string;
}

/** The user's shared lockout state: outside every workspace, so a repository can neither reset nor plant it. */
export function lockoutStateFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(userConfigDir(env), 'auth-lockout.json');
}

// Hosts kept in the state file at most: the oldest activity is forgotten first.
const MAX_HOSTS = 200;

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
  private readonly stateFile: string | undefined;
  private failures = new Map<string, number[]>();
  private lockedUntil = new Map<string, number>();

  constructor(options: LockoutOptions = {}) {
    this.maxFailures = Math.max(1, options.maxFailures ?? DEFAULT_MAX_AUTH_FAILURES);
    this.windowMs = Math.max(1, options.windowMs ?? DEFAULT_LOCKOUT_MS);
    this.now = options.now ?? Date.now;
    this.onEvent = options.onEvent ?? (() => undefined);
    this.stateFile = options.stateFile;
  }

  /** The end of the lockout of `url`'s host, or undefined when requests may go out. */
  async lockedUntilFor(url: string): Promise<Date | undefined> {
    await this.load();
    const until = this.lockedUntil.get(hostOf(url));
    if (until === undefined || until <= this.now()) return undefined;
    return new Date(until);
  }

  /** Rejects with AuthLockedError while `url`'s host is locked. */
  async check(url: string): Promise<void> {
    const until = await this.lockedUntilFor(url);
    if (until) throw new AuthLockedError(hostOf(url), until);
  }

  async recordSuccess(url: string): Promise<void> {
    const host = hostOf(url);
    await this.load();
    this.failures.delete(host);
    this.lockedUntil.delete(host);
    await this.save();
    this.onEvent({ event: 'auth_success', actor: 'system', action: 'authenticate', target: host });
  }

  /** Counts a failure; resolves with whether the host is now locked. */
  async recordFailure(url: string, details: { statusCode?: number; error?: string } = {}): Promise<boolean> {
    const host = hostOf(url);
    await this.load();
    const now = this.now();
    const recent = (this.failures.get(host) ?? []).filter((t) => now - t < this.windowMs).slice(-this.maxFailures);
    recent.push(now);
    this.failures.set(host, recent);
    const locked = recent.length >= this.maxFailures;
    if (locked) {
      this.lockedUntil.set(host, now + this.windowMs);
      this.failures.delete(host);
    }
    await this.save();
    this.onEvent({ event: 'auth_failure', actor: 'system', action: 'authenticate', target: host, details: { failure_count: recent.length, ...details } });
    if (!locked) return false;
    this.onEvent({ event: 'auth_lockout', actor: 'system', action: 'authenticate', target: host, details: { failure_count: recent.length, locked_until: new Date(now + this.windowMs).toISOString() } });
    return true;
  }

  // Another process may have counted since: read the shared state before every decision. A damaged file
  // counts as empty (it lives in the user's own folder, and refusing every request would lock the user out).
  private async load(): Promise<void> {
    if (!this.stateFile) return;
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(this.stateFile, 'utf8'));
    } catch {
      raw = undefined;
    }
    const hosts = Array.isArray((raw as { hosts?: unknown })?.hosts) ? ((raw as { hosts: unknown[] }).hosts as unknown[]) : [];
    this.failures = new Map();
    this.lockedUntil = new Map();
    for (const entry of hosts.slice(0, MAX_HOSTS)) {
      if (!entry || typeof entry !== 'object') continue;
      const { host, failures, lockedUntil } = entry as { host?: unknown; failures?: unknown; lockedUntil?: unknown };
      if (typeof host !== 'string') continue;
      if (Array.isArray(failures)) this.failures.set(host, failures.filter((t): t is number => typeof t === 'number').slice(-this.maxFailures));
      if (typeof lockedUntil === 'number') this.lockedUntil.set(host, lockedUntil);
    }
  }

  private async save(): Promise<void> {
    if (!this.stateFile) return;
    const now = this.now();
    const hosts = [...new Set([...this.failures.keys(), ...this.lockedUntil.keys()])]
      .map((host) => ({ host, failures: (this.failures.get(host) ?? []).filter((t) => now - t < this.windowMs), lockedUntil: this.lockedUntil.get(host) }))
      .filter((h) => h.failures.length > 0 || (h.lockedUntil ?? 0) > now)
      .sort((a, b) => Math.max(b.lockedUntil ?? 0, ...b.failures) - Math.max(a.lockedUntil ?? 0, ...a.failures))
      .slice(0, MAX_HOSTS);
    await writeJsonAtomic(this.stateFile, { hosts }, { mode: 0o600 });
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

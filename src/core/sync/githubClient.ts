// GitHub's REST API as the issue sync uses it (github-api.md §3): the required headers, conditional requests,
// `Link` pagination, and both rate limits. Every wait is bounded; the token goes to the base URL and nowhere else.

import { Agent, request, type Dispatcher } from 'undici';
import { redact } from '../common/redact';

export const GITHUB_API_URL = 'https://api.github.com';
export const GITHUB_API_VERSION = '2022-11-28';

/** No answer the sync needs is near this; a larger one is refused rather than held in memory. */
const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
// Retries of one request after a secondary rate limit with no `retry-after` (github-api.md: back off, then give up).
const MAX_SECONDARY_RETRIES = 4;
const SECONDARY_DEFAULT_WAIT_MS = 60_000;

export class GitHubApiError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
  ) {
    super(message);
    this.name = 'GitHubApiError';
  }
}

/** GitHub asked for a longer wait than this sync may spend: nothing more is requested. */
export class RateLimitError extends GitHubApiError {
  constructor(message: string) {
    super(message, 403);
    this.name = 'RateLimitError';
  }
}

export interface GitHubClientOptions {
  baseUrl: string;
  token: string;
  /** Per request, connection to last byte. */
  timeoutMs?: number;
  /** The most time all rate-limit waits of one sync may add up to. */
  maxWaitMs?: number;
  userAgent?: string;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Told before every rate-limit wait, for progress messages. */
  onWait?: (ms: number, reason: string) => void;
  /** Least time between two writes (POST, PATCH): GitHub asks for a second, against its secondary limits. */
  writeIntervalMs?: number;
}

export interface ClientStats {
  /** Requests sent, retries included. */
  requests: number;
  /** Conditional requests answered 304: no primary rate-limit point spent, no body sent. */
  notModified: number;
  waitedMs: number;
  /** `x-ratelimit-remaining` of the last answer. */
  remaining?: number;
}

/** `next`: the next page's URL from the `Link` header; a 304 may carry one too (a page unchanged, but no longer the last). */
export type ConditionalResult<T> = { status: 304; next?: string } | { status: 200; body: T; etag?: string; next?: string };

export class GitHubClient {
  readonly stats: ClientStats = { requests: 0, notModified: 0, waitedMs: 0 };
  private readonly base: URL;
  private readonly dispatcher: Dispatcher;
  private readonly timeoutMs: number;
  private readonly maxWaitMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  /** When the primary limit ran out: no request before this time (epoch ms). */
  private pausedUntil = 0;
  private lastWriteAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: GitHubClientOptions) {
    this.base = new URL(options.baseUrl.replace(/\/+$/, ''));
    if (this.base.protocol !== 'https:' && this.base.protocol !== 'http:') throw new GitHubApiError(`the GitHub API address must be http(s), not ${redact(options.baseUrl)}`, undefined);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxWaitMs = options.maxWaitMs ?? 5 * 60_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
    this.dispatcher = new Agent({ headersTimeout: this.timeoutMs, bodyTimeout: this.timeoutMs, connections: 4 });
  }

  get baseUrl(): string {
    return this.base.href.replace(/\/+$/, '');
  }

  /** A GET with `If-None-Match` when an ETag is known; the `next` page link is resolved and checked. */
  async getConditional<T>(pathOrUrl: string, etag?: string): Promise<ConditionalResult<T>> {
    const res = await this.send('GET', pathOrUrl, undefined, etag);
    if (res.status === 304) {
      this.stats.notModified++;
      return { status: 304, next: this.nextLink(res.headers.link) };
    }
    return { status: 200, body: res.body as T, etag: res.headers.etag, next: this.nextLink(res.headers.link) };
  }

  async get<T>(path: string): Promise<T> {
    return (await this.send('GET', path)).body as T;
  }

  async patch<T>(path: string, body: unknown): Promise<T> {
    return (await this.send('PATCH', path, body)).body as T;
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return (await this.send('POST', path, body)).body as T;
  }

  /** Closes the connections kept alive for this sync. */
  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  /** The URL a path or a link from GitHub names; a link to anywhere but the base URL is refused (the token would follow it). */
  resolve(pathOrUrl: string): URL {
    const url = /^https?:\/\//i.test(pathOrUrl) ? new URL(pathOrUrl) : new URL(this.base.href.replace(/\/+$/, '') + (pathOrUrl.startsWith('/') ? pathOrUrl : `/${pathOrUrl}`));
    const basePath = this.base.pathname.replace(/\/+$/, '');
    if (url.origin !== this.base.origin || !(url.pathname === basePath || url.pathname.startsWith(`${basePath}/`))) {
      throw new GitHubApiError(`GitHub answered with a link to ${redact(url.origin)}${url.pathname}, outside ${this.baseUrl}: not followed`, undefined);
    }
    return url;
  }

  private nextLink(header: string | string[] | undefined): string | undefined {
    const value = Array.isArray(header) ? header.join(', ') : header;
    const match = value ? /<([^<>]+)>;\s*rel="next"/.exec(value) : null;
    return match ? this.resolve(match[1]!).href : undefined;
  }

  private async send(method: 'GET' | 'PATCH' | 'POST', pathOrUrl: string, body?: unknown, etag?: string): Promise<{ status: number; body: unknown; headers: Record<string, string | undefined> }> {
    const url = this.resolve(pathOrUrl);
    const where = `${method} ${url.pathname}${url.search}`;
    let secondaryRetries = 0;
    for (;;) {
      const pause = this.pausedUntil - this.now();
      if (pause > 0) await this.wait(pause, 'primary rate limit', where);
      if (method !== 'GET') {
        // Serial writes a second apart (github-api.md §3): spacing, not a rate-limit wait, so not counted as one.
        const spacing = this.lastWriteAt + (this.options.writeIntervalMs ?? 1000) - this.now();
        if (spacing > 0) await this.sleep(spacing);
        this.lastWriteAt = this.now();
      }
      let res: Dispatcher.ResponseData;
      try {
        res = await request(url, {
          method,
          dispatcher: this.dispatcher,
          signal: AbortSignal.timeout(this.timeoutMs),
          headers: {
            accept: 'application/vnd.github+json',
            'x-github-api-version': GITHUB_API_VERSION,
            'user-agent': this.options.userAgent ?? 'claude-pm-sync',
            authorization: `Bearer ${this.options.token}`,
            ...(etag ? { 'if-none-match': etag } : {}),
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch (error) {
        throw new GitHubApiError(`${where}: no answer from ${this.base.host} within ${Math.round(this.timeoutMs / 1000)} s or the connection failed (${this.clean((error as Error).message)})`, undefined);
      }
      this.stats.requests++;
      const headers = flatHeaders(res.headers);
      const remaining = headers['x-ratelimit-remaining'] === undefined ? undefined : Number(headers['x-ratelimit-remaining']);
      const resetMs = Number(headers['x-ratelimit-reset']) * 1000;
      if (remaining !== undefined && Number.isFinite(remaining)) this.stats.remaining = remaining;
      if (res.statusCode === 304) {
        await res.body.dump();
        return { status: 304, body: undefined, headers };
      }
      const text = await readLimited(res.body, where);
      if (res.statusCode === 403 || res.statusCode === 429) {
        const delay = this.rateLimitDelay(headers, remaining, resetMs, text, ++secondaryRetries);
        if (delay === undefined) throw new GitHubApiError(`${where}: ${res.statusCode} ${githubMessage(text) ?? 'forbidden'}. Check that the token may read and write issues of this repository (scope 'repo').`, res.statusCode);
        await this.wait(delay.ms, delay.reason, where);
        continue;
      }
      // Out of requests for this hour: the next one waits for the reset instead of failing.
      if (remaining === 0 && Number.isFinite(resetMs)) this.pausedUntil = resetMs + 1000;
      if (res.statusCode < 200 || res.statusCode >= 300) throw new GitHubApiError(`${where}: ${res.statusCode} ${githubMessage(text) ?? statusText(res.statusCode)}`, res.statusCode);
      try {
        return { status: res.statusCode, body: text === '' ? undefined : JSON.parse(text), headers };
      } catch {
        throw new GitHubApiError(`${where}: the answer is not JSON`, res.statusCode);
      }
    }
  }

  /** How long a 403/429 asks to wait (github-api.md §3, as octokit's throttling plugin does); undefined: not a rate limit. */
  private rateLimitDelay(headers: Record<string, string | undefined>, remaining: number | undefined, resetMs: number, text: string, attempt: number): { ms: number; reason: string } | undefined {
    const retryAfter = Number(headers['retry-after']);
    if (headers['retry-after'] !== undefined && Number.isFinite(retryAfter) && retryAfter >= 0) return { ms: retryAfter * 1000, reason: 'secondary rate limit' };
    if (remaining === 0 && Number.isFinite(resetMs)) return { ms: Math.max(0, resetMs - this.now()) + 1000, reason: 'primary rate limit' };
    if (/secondary rate limit/i.test(text)) {
      if (attempt > MAX_SECONDARY_RETRIES) throw new RateLimitError(`GitHub's secondary rate limit still refused the sync after ${MAX_SECONDARY_RETRIES} waits; run it again in a few minutes.`);
      return { ms: SECONDARY_DEFAULT_WAIT_MS * 2 ** (attempt - 1), reason: 'secondary rate limit' };
    }
    return undefined;
  }

  private async wait(ms: number, reason: string, where: string): Promise<void> {
    if (this.stats.waitedMs + ms > this.maxWaitMs) {
      const until = new Date(this.now() + ms).toISOString().slice(11, 19);
      throw new RateLimitError(
        `${where}: GitHub's ${reason} asks to wait ${Math.ceil(ms / 1000)} s more, beyond the ${Math.round(this.maxWaitMs / 1000)} s this sync may wait in all. Nothing was lost: run the sync again after ${until} UTC.`,
      );
    }
    this.options.onWait?.(ms, reason);
    this.stats.waitedMs += ms;
    await this.sleep(ms);
  }

  private clean(message: string): string {
    return redact(message, [this.options.token]);
  }
}

function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = Object.create(null);
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

async function readLimited(body: Dispatcher.ResponseData['body'], where: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > MAX_RESPONSE_BYTES) {
      body.destroy();
      throw new GitHubApiError(`${where}: the answer is larger than ${MAX_RESPONSE_BYTES / 1024 / 1024} MB; refused`, undefined);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** GitHub's `message` from an error body, single-line and bounded. */
function githubMessage(text: string): string | undefined {
  try {
    const message = (JSON.parse(text) as { message?: unknown }).message;
    return typeof message === 'string' ? message.replace(/\s+/g, ' ').slice(0, 300) : undefined;
  } catch {
    return undefined;
  }
}

function statusText(status: number): string {
  if (status === 401) return 'the token was refused: sign in again or set a valid GITHUB_TOKEN';
  if (status === 404) return 'not found (or the token may not see it)';
  if (status === 410) return 'gone (deleted, issues disabled, or an API version the server does not support)';
  return 'unexpected answer';
}

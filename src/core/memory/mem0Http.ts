import { Agent, request, type Dispatcher } from 'undici';
import { redact } from '../common/redact';
import { backoffDelay } from '../common/backoff';
import { CircuitBreaker } from '../common/circuitBreaker';

/** A failed mem0 call. `retryable` failures (network, timeouts, 5xx, 429) go to the outbox for writes. */
export class Mem0Error extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly retryable: boolean,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'Mem0Error';
  }
}

export class CircuitOpenError extends Mem0Error {
  constructor(baseUrl: string) {
    super(`mem0 at ${baseUrl} is unreachable; retrying shortly.`, undefined, true, 'circuit_open');
    this.name = 'CircuitOpenError';
  }
}

// 502 codes of the self-hosted server that a retry cannot fix.
const PERMANENT_502 = new Set(['provider_auth_failed', 'provider_bad_request']);

export interface Mem0HttpOptions {
  baseUrl: string;
  headers: Record<string, string>;
  timeoutMs: number;
  verifyTls: boolean;
  retries?: number;
  retryBaseMs?: number;
  breaker?: CircuitBreaker;
}

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** False for requests that must not be repeated blindly (adds): a lost reply may hide a stored write. */
  retry?: boolean;
}

/** A server that failed 3 times in a row gets 5 s to recover before one probe request is let through. */
export const MEM0_BREAKER = { failureThreshold: 3, recoveryTimeoutMs: 5000, successThreshold: 1 };

/** JSON over undici with a per-request deadline, retries with jittered backoff and a circuit breaker. */
export class Mem0Http {
  readonly breaker: CircuitBreaker;
  private readonly dispatcher: Dispatcher;
  private readonly retries: number;
  private readonly retryBaseMs: number;

  constructor(private readonly options: Mem0HttpOptions) {
    this.breaker = options.breaker ?? new CircuitBreaker({ now: Date.now }, MEM0_BREAKER);
    this.retries = options.retries ?? 2;
    this.retryBaseMs = options.retryBaseMs ?? 200;
    this.dispatcher = new Agent({ connect: { rejectUnauthorized: options.verifyTls }, headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs });
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  async call<T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, options: RequestOptions = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      if (!this.breaker.tryAcquire()) throw new CircuitOpenError(this.options.baseUrl);
      try {
        const value = await this.once<T>(method, path, options);
        this.breaker.record(true);
        return value;
      } catch (error) {
        const failure = error instanceof Mem0Error ? error : new Mem0Error(String(error), undefined, true);
        if (!failure.retryable) {
          // The server answered: it is up, even if the request was wrong.
          this.breaker.record(true);
          throw failure;
        }
        this.breaker.record(false);
        if (attempt >= this.retries || options.retry === false) throw failure;
        await new Promise((r) => setTimeout(r, backoffDelay(attempt + 1, { baseMs: this.retryBaseMs, maxMs: 5000 })));
      }
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  private async once<T>(method: string, path: string, options: RequestOptions): Promise<T> {
    const url = new URL(this.options.baseUrl + path);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    let status: number;
    let text: string;
    try {
      const response = await request(url, {
        method: method as Dispatcher.HttpMethod,
        headers: { accept: 'application/json', ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...this.options.headers },
        body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
        dispatcher: this.dispatcher,
        signal,
      });
      status = response.statusCode;
      text = await response.body.text();
    } catch (error) {
      const timedOut = signal.aborted || /timeout/i.test((error as Error).name + (error as Error).message);
      throw new Mem0Error(
        timedOut ? `mem0 ${method} ${path} timed out after ${this.options.timeoutMs} ms` : `mem0 ${method} ${path} failed: ${redact((error as Error).message)}`,
        undefined,
        true,
        timedOut ? 'timeout' : 'network',
      );
    }
    let json: unknown;
    try {
      json = text === '' ? null : JSON.parse(text);
    } catch {
      throw new Mem0Error(`mem0 ${method} ${path} answered ${status} with malformed JSON`, status, status >= 500 || status < 300, 'malformed_response');
    }
    if (status >= 200 && status < 300) return json as T;
    const detail = describeError(json);
    const code = typeof (json as { code?: unknown })?.code === 'string' ? (json as { code: string }).code : undefined;
    const retryable = status === 429 || (status >= 500 && !(status === 502 && code !== undefined && PERMANENT_502.has(code)));
    const hint = status === 401 || status === 403 ? ' Check the API key (Claude PM: Set API Key, or MEM0AI_API_KEY / MEM0_API_KEY).' : '';
    throw new Mem0Error(`mem0 ${method} ${path} failed with ${status}${code ? ` (${code})` : ''}: ${redact(detail)}${hint}`, status, retryable, code);
  }
}

function describeError(json: unknown): string {
  if (json && typeof json === 'object') {
    const o = json as Record<string, unknown>;
    if (typeof o.detail === 'string') return o.detail;
    if (Array.isArray(o.detail)) return o.detail.map((d) => (d as { msg?: string }).msg ?? JSON.stringify(d)).join('; ');
    if (typeof o.error === 'string') return o.details ? `${o.error}: ${JSON.stringify(o.details)}` : o.error;
  }
  return JSON.stringify(json);
}

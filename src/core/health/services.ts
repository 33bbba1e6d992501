import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import type { HealthServiceConfig, MemoryBackendKind } from '../config/schema';
import { redact } from '../common/redact';
import type { PerformanceBand, ServiceResult, ServiceStatus } from './reportSchema';


export interface ServiceDefinition {
  name: string;
  url: string;
  critical: boolean;
  timeoutMs: number;
}

// The framework's own services (formats.md §4a): mem0 is the only critical one. The portfolio services run from
// the framework's own tree, so a folder is only expected to serve them when it is that tree.
export const MEM0_SERVICE: ServiceDefinition = { name: 'mem0ai_mcp', url: 'http://localhost:8002/health', critical: true, timeoutMs: 5000 };
export const PORTFOLIO_SERVICES: readonly ServiceDefinition[] = [
  { name: 'portfolio_manager', url: 'http://localhost:3000/', critical: false, timeoutMs: 5000 },
  { name: 'git_portfolio_manager', url: 'http://localhost:3001/health', critical: false, timeoutMs: 5000 },
  { name: 'claude_pm_dashboard', url: 'http://localhost:5173/', critical: false, timeoutMs: 5000 },
];

/** Above this a service that answers is only "degraded": the slowest band of the real monitor. */
export const SLOW_RESPONSE_MS = 2000;

/** What decides which of the framework's services a folder is expected to run. */
export interface ServiceContext {
  user: readonly HealthServiceConfig[];
  disableDefaults: boolean;
  /** mem0 is checked only when memory lives there, at the configured address. */
  memory: { backend: MemoryBackendKind; baseUrl: string };
  /** The folder is the framework's own tree (see `isFrameworkTree`), where the portfolio services run. */
  frameworkTree: boolean;
}

/**
 * The services to probe: the framework's services the folder uses (unless disabled), with user entries
 * replacing same-named ones. A project on the embedded memory store outside the framework's tree has none.
 */
export function resolveServices(context: ServiceContext): ServiceDefinition[] {
  const byName = new Map<string, ServiceDefinition>();
  if (!context.disableDefaults) {
    if (context.memory.backend === 'mem0') byName.set(MEM0_SERVICE.name, { ...MEM0_SERVICE, url: `${context.memory.baseUrl}/health` });
    if (context.frameworkTree) for (const s of PORTFOLIO_SERVICES) byName.set(s.name, s);
  }
  for (const s of context.user) byName.set(s.name, { name: s.name, url: s.url, critical: s.critical, timeoutMs: s.timeout_ms });
  return [...byName.values()];
}

/** The framework's own tree keeps its backlog in `trackdown/BACKLOG.md` (its monitor requires the file). */
export async function isFrameworkTree(folder: string): Promise<boolean> {
  return stat(join(folder, 'trackdown', 'BACKLOG.md')).then((s) => s.isFile(), () => false);
}

export function performanceBand(ms: number): PerformanceBand {
  if (ms < 100) return 'excellent';
  if (ms < 500) return 'good';
  if (ms < SLOW_RESPONSE_MS) return 'acceptable';
  return 'slow';
}

// Failures that mean nothing is listening or it never answered, as opposed to a broken setup (DNS, TLS, URL).
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_ABORTED']);

/** Probes every service in parallel, each bounded by its own timeout; never rejects. */
export async function probeServices(services: readonly ServiceDefinition[], options: { verifyTls?: boolean } = {}): Promise<ServiceResult[]> {
  const dispatcher = new Agent({ connect: { rejectUnauthorized: options.verifyTls ?? true }, keepAliveTimeout: 1, pipelining: 0 });
  try {
    return await Promise.all(services.map((s) => probeService(s, dispatcher)));
  } finally {
    // Sockets of probes that never answered are torn down so the process can exit.
    void dispatcher.destroy().catch(() => undefined);
  }
}

async function probeService(service: ServiceDefinition, dispatcher: Agent): Promise<ServiceResult> {
  const started = performance.now();
  const base = { name: service.name, url: displayUrl(service.url), critical: service.critical, timestamp: new Date().toISOString() };
  try {
    const response = await request(service.url, {
      method: 'GET',
      dispatcher,
      signal: AbortSignal.timeout(service.timeoutMs),
      headersTimeout: service.timeoutMs,
      bodyTimeout: service.timeoutMs,
    });
    const elapsed = Math.round(performance.now() - started);
    await response.body.dump().catch(() => undefined);
    const ok = response.statusCode >= 200 && response.statusCode < 400;
    const status: ServiceStatus = !ok ? 'error' : elapsed >= SLOW_RESPONSE_MS ? 'degraded' : 'healthy';
    return {
      ...base,
      status,
      error: ok ? (status === 'degraded' ? `slow response (${elapsed} ms)` : null) : `HTTP ${response.statusCode}`,
      response_time: elapsed,
      http_status: response.statusCode,
      performance: performanceBand(elapsed),
    };
  } catch (error) {
    return { ...base, ...classifyFailure(error, service.timeoutMs), response_time: null, http_status: null, performance: null };
  }
}

/** The URL as reports show it: credentials in it are dropped and anything secret-looking masked. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return redact(parsed.toString());
  } catch {
    return redact(url);
  }
}

function classifyFailure(error: unknown, timeoutMs: number): { status: ServiceStatus; error: string } {
  const err = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = err.code ?? err.cause?.code;
  if (err.name === 'TimeoutError' || err.name === 'AbortError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return { status: 'down', error: `no answer within ${timeoutMs} ms` };
  }
  if (code === 'ECONNREFUSED') return { status: 'down', error: 'connection refused: nothing is listening on that port' };
  if (code && UNREACHABLE_CODES.has(code)) return { status: 'down', error: redact(`${code}: ${err.message}`) };
  return { status: 'error', error: redact(code ? `${code}: ${err.message}` : err.message) };
}

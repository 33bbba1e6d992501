import { connect } from 'node:net';
import { Agent, request } from 'undici';
import type { ResolvedConfig } from '../config/loadConfig';
import { CLAUDE_INSTALL_HINT, probeClaudeCli } from '../agents/claudeRunnerLocate';
import { redact } from '../common/redact';
import { displayUrl } from './services';

// On-demand troubleshooting (the seed's "Troubleshooting & Monitoring"): each step says what failed,
// why in plain words, and what to do about it.

export type StepStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface DiagnosticStep {
  id: string;
  title: string;
  status: StepStatus;
  detail: string;
  cause?: string;
  fix?: string;
  data?: Record<string, unknown>;
}

export interface DiagnosticsReport {
  timestamp: string;
  ok: boolean;
  memory: { backend: string; url: string; steps: DiagnosticStep[] };
  agents: { runner: string; steps: DiagnosticStep[] };
}

export interface DiagnosticsOptions {
  config: ResolvedConfig;
  /** The memory API key, from SecretStorage or MEM0AI_API_KEY / MEM0_API_KEY. Never logged. */
  apiKey?: string;
  /** Agent counts by tier (project, user, system), when the agents feature is available. */
  discoverAgents?: () => Promise<Record<string, number>>;
  /** Statuses of recent agent runs, when the orchestration feature is available. */
  recentRuns?: () => Promise<readonly { status: string }[]>;
  timeoutMs?: number;
  /** Where the Claude CLI is looked up (PATH, HOME). */
  env?: NodeJS.ProcessEnv;
}

const LATENCY_SAMPLES = 3;

export async function runDiagnostics(options: DiagnosticsOptions): Promise<DiagnosticsReport> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const [memory, agents] = await Promise.all([diagnoseMemory(options, timeoutMs), diagnoseAgents(options)]);
  const all = [...memory, ...agents];
  return {
    timestamp: new Date().toISOString(),
    ok: all.every((s) => s.status !== 'fail'),
    memory: { backend: options.config.memory.backend, url: displayUrl(options.config.memory.baseUrl), steps: memory },
    agents: { runner: options.config.agents.runner, steps: agents },
  };
}

async function diagnoseMemory(options: DiagnosticsOptions, timeoutMs: number): Promise<DiagnosticStep[]> {
  const { backend, baseUrl, verifyTls } = options.config.memory;
  if (backend === 'embedded') {
    return [{ id: 'memory.backend', title: 'Memory backend', status: 'pass', detail: 'the embedded backend stores memories in the workspace and needs no service' }];
  }
  if (backend === 'postgres') {
    return [{ id: 'memory.backend', title: 'Memory backend', status: 'pass', detail: 'the team database (PostgreSQL): claude-pm db status checks the connection and the schema' }];
  }
  const dispatcher = new Agent({ connect: { rejectUnauthorized: verifyTls }, keepAliveTimeout: 1 });
  try {
    const platform = backend === 'mem0-platform';
    const healthPath = platform ? '/v1/ping/' : '/health';
    const authHeaders: Record<string, string> = options.apiKey ? (platform ? { authorization: `Token ${options.apiKey}` } : { 'x-api-key': options.apiKey }) : {};
    const get = (path: string, headers: Record<string, string> = {}) => timedGet(`${baseUrl}${path}`, headers, dispatcher, timeoutMs);
    const [tcp, health] = await Promise.all([tcpStep(baseUrl, timeoutMs), get(healthPath, authHeaders)]);
    const serviceStep = healthStep(health, `${baseUrl}${healthPath}`, tcp.status === 'pass');
    const authPath = platform ? '/v1/ping/' : `/memories?user_id=${encodeURIComponent(options.config.memory.userId ?? 'claude_pm_global')}&top_k=1`;
    const auth = health.kind === 'response' ? authStep(await get(authPath, authHeaders), Boolean(options.apiKey), platform) : skipped('memory.auth', 'Authentication', 'the service did not answer');
    const latency = health.kind === 'response' ? await latencyStep(() => get(healthPath, authHeaders)) : skipped('memory.latency', 'Latency', 'the service did not answer');
    return [serviceStep, tcp, auth, latency];
  } finally {
    void dispatcher.destroy().catch(() => undefined);
  }
}

type GetResult = { kind: 'response'; status: number; ms: number } | { kind: 'failure'; code: string; message: string; ms: number };

async function timedGet(url: string, headers: Record<string, string>, dispatcher: Agent, timeoutMs: number): Promise<GetResult> {
  const started = performance.now();
  try {
    const res = await request(url, { method: 'GET', headers, dispatcher, signal: AbortSignal.timeout(timeoutMs), headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    await res.body.dump().catch(() => undefined);
    return { kind: 'response', status: res.statusCode, ms: Math.round(performance.now() - started) };
  } catch (error) {
    const err = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
    const timedOut = err.name === 'TimeoutError' || err.name === 'AbortError' || err.code === 'UND_ERR_HEADERS_TIMEOUT';
    return { kind: 'failure', code: timedOut ? 'TIMEOUT' : (err.code ?? err.cause?.code ?? 'ERROR'), message: redact(err.message), ms: Math.round(performance.now() - started) };
  }
}

function healthStep(result: GetResult, url: string, tcpOk: boolean): DiagnosticStep {
  const base = { id: 'memory.service', title: 'Service health', data: { url: displayUrl(url) } };
  if (result.kind === 'response' && result.status >= 200 && result.status < 400) return { ...base, status: 'pass', detail: `HTTP ${result.status} in ${result.ms} ms` };
  if (result.kind === 'response') {
    return {
      ...base,
      status: result.status === 401 || result.status === 403 ? 'warn' : 'fail',
      detail: `HTTP ${result.status}`,
      cause: result.status >= 500 ? 'the memory service is running but reports an internal error (often its database or model provider)' : 'the service is running but refused the request (see Authentication below)',
      fix: result.status >= 500 ? "check the memory service's own logs, then restart it" : 'check the URL and the API key',
    };
  }
  if (result.code === 'TIMEOUT') {
    return { ...base, status: 'fail', detail: `no answer within ${result.ms} ms`, cause: tcpOk ? 'the port accepts connections but the service does not answer: it is hung or overloaded' : 'nothing answers at that address', fix: 'restart the memory service; check its CPU and memory use' };
  }
  return { ...base, status: 'fail', detail: `${result.code}: ${result.message}`, cause: 'the memory service is not running or the URL is wrong', fix: 'start it (for example `docker compose up` in the mem0 server folder) or correct claudePm.memory.url' };
}

function tcpStep(baseUrl: string, timeoutMs: number): Promise<DiagnosticStep> {
  const url = new URL(baseUrl);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const base = { id: 'memory.tcp', title: 'Network connectivity', data: { host, port } };
  return new Promise((resolvePromise) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const done = (step: DiagnosticStep) => {
      socket.destroy();
      resolvePromise(step);
    };
    socket.once('connect', () => done({ ...base, status: 'pass', detail: `${host}:${port} accepts connections` }));
    socket.once('timeout', () => done({ ...base, status: 'fail', detail: `no TCP answer from ${host}:${port} within ${timeoutMs} ms`, cause: 'a firewall drops the connection or the host is unreachable', fix: 'check the host name, VPN and firewall rules' }));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      done({
        ...base,
        status: 'fail',
        detail: `${error.code ?? 'error'} connecting to ${host}:${port}`,
        cause: error.code === 'ECONNREFUSED' ? 'nothing is listening on that port' : error.code === 'ENOTFOUND' ? 'the host name does not resolve' : redact(error.message),
        fix: error.code === 'ECONNREFUSED' ? 'start the memory service or correct the port' : 'correct the host in claudePm.memory.url',
      }),
    );
  });
}

function authStep(result: GetResult, hasKey: boolean, platform: boolean): DiagnosticStep {
  const base = { id: 'memory.auth', title: 'Authentication' };
  const keyName = platform ? 'MEM0_API_KEY' : 'MEM0AI_API_KEY';
  if (result.kind === 'failure') return { ...base, status: 'fail', detail: `${result.code}: ${result.message}`, cause: 'the request failed before the server could check the key', fix: 'fix the connectivity problems above first' };
  if (result.status === 401 || result.status === 403) {
    return {
      ...base,
      status: 'fail',
      detail: `HTTP ${result.status}`,
      cause: hasKey ? 'the server rejected the API key (wrong, revoked, or lacking the role)' : 'the server requires an API key and none is set',
      fix: `run "Claude PM: Set Memory API Key" (or set ${keyName} for the CLI)`,
    };
  }
  if (result.status >= 200 && result.status < 400) return { ...base, status: 'pass', detail: hasKey ? 'the API key is accepted' : 'the server accepts requests without a key' };
  return { ...base, status: 'warn', detail: `HTTP ${result.status} from an authenticated request`, cause: 'the server accepted the request but could not serve it', fix: "check the memory service's logs" };
}

async function latencyStep(get: () => Promise<GetResult>): Promise<DiagnosticStep> {
  const samples: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const r = await get();
    if (r.kind === 'response') samples.push(r.ms);
  }
  const base = { id: 'memory.latency', title: 'Latency' };
  if (samples.length === 0) return { ...base, status: 'fail', detail: 'no request succeeded', cause: 'the service stopped answering', fix: 'restart the memory service' };
  const median = [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
  const data = { samples, median_ms: median };
  if (median >= 2000) return { ...base, status: 'fail', detail: `median ${median} ms`, cause: 'the service is overloaded or far away', fix: 'check its CPU, memory and vector store', data };
  if (median >= 500) return { ...base, status: 'warn', detail: `median ${median} ms`, cause: 'slower than expected for a local service', fix: 'check its load', data };
  return { ...base, status: 'pass', detail: `median ${median} ms over ${samples.length} requests`, data };
}

async function diagnoseAgents(options: DiagnosticsOptions): Promise<DiagnosticStep[]> {
  const steps: DiagnosticStep[] = [];
  if (options.discoverAgents) {
    try {
      const tiers = await options.discoverAgents();
      const total = Object.values(tiers).reduce((a, b) => a + b, 0);
      steps.push(
        total > 0
          ? { id: 'agents.discovery', title: 'Agent discovery', status: 'pass', detail: Object.entries(tiers).map(([tier, n]) => `${tier}: ${n}`).join(', '), data: tiers }
          : { id: 'agents.discovery', title: 'Agent discovery', status: 'fail', detail: 'no agents found', cause: 'no agent definitions in .claude-pm/agents or the framework folders', fix: 'create an agent or deploy the framework agents', data: tiers },
      );
    } catch (error) {
      steps.push({ id: 'agents.discovery', title: 'Agent discovery', status: 'fail', detail: redact((error as Error).message), cause: 'an agent folder could not be read', fix: 'check the permissions of .claude-pm/agents' });
    }
  } else {
    steps.push(skipped('agents.discovery', 'Agent discovery', 'agent discovery is not available here'));
  }
  steps.push(options.config.agents.runner === 'claude' ? await cliStep(options.config, options.env ?? process.env) : skipped('agents.cli', 'Claude CLI', 'agents run shell commands (agents.runner is "command")'));
  steps.push(options.recentRuns ? failureRateStep(await options.recentRuns()) : skipped('agents.failures', 'Recent failures', 'no run history is available here'));
  return steps;
}

async function cliStep(config: ResolvedConfig, env: NodeJS.ProcessEnv): Promise<DiagnosticStep> {
  const base = { id: 'agents.cli', title: 'Claude CLI' };
  const cli = await probeClaudeCli(config.agents.claudePath, env, config.workspaceRoot);
  if (cli.found && !cli.error) return { ...base, status: 'pass', detail: `${cli.path} ${cli.version ?? ''}`.trim(), data: { path: cli.path, version: cli.version } };
  return {
    ...base,
    status: 'fail',
    detail: redact(cli.error ?? 'not found'),
    cause: cli.found ? 'the CLI is installed but fails to start' : 'the Claude Code CLI is not installed or not on PATH',
    fix: cli.found ? `run "${cli.path} --version" in a terminal to see the error` : CLAUDE_INSTALL_HINT,
  };
}

function failureRateStep(runs: readonly { status: string }[]): DiagnosticStep {
  const base = { id: 'agents.failures', title: 'Recent failures' };
  const finished = runs.filter((r) => /^(completed|succeeded|success|failed|error|timeout|timed_out|cancelled|interrupted)$/i.test(r.status));
  if (finished.length === 0) return { ...base, status: 'pass', detail: 'no finished runs yet' };
  const failed = finished.filter((r) => /^(failed|error|timeout|timed_out)$/i.test(r.status)).length;
  const rate = Math.round((failed / finished.length) * 100);
  const data = { failed, finished: finished.length, failure_rate: rate };
  if (rate > 50) return { ...base, status: 'fail', detail: `${failed} of ${finished.length} recent runs failed (${rate}%)`, cause: 'most agent runs fail: usually a missing CLI login, a bad command template or too short a timeout', fix: 'open a failed run in the Runs view and read its output', data };
  if (rate > 20) return { ...base, status: 'warn', detail: `${failed} of ${finished.length} recent runs failed (${rate}%)`, cause: 'some agent runs fail', fix: 'open a failed run in the Runs view and read its output', data };
  return { ...base, status: 'pass', detail: `${failed} of ${finished.length} recent runs failed (${rate}%)`, data };
}

function skipped(id: string, title: string, why: string): DiagnosticStep {
  return { id, title, status: 'skip', detail: why };
}

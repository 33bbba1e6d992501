import { Agent, request } from 'undici';
import type { ResolvedConfig } from '../config/loadConfig';
import type { MemoryBackendKind } from '../config/schema';
import type { AuthLockout } from './lockout';
import { redact } from '../common/redact';

// `security test-auth`: one authenticated request to the configured memory service, counted by the lockout.

export const PLATFORM_URL = 'https://api.mem0.ai';

/** The URL keys are sent to: the configured one, or for the platform the hosted API unless a URL is set explicitly. */
export function memoryServiceUrl(config: ResolvedConfig, env: NodeJS.ProcessEnv): string {
  if (config.memory.backend !== 'mem0-platform') return config.memory.baseUrl;
  return (env.MEM0AI_URL ?? config.file.memory_service?.url ?? PLATFORM_URL).replace(/\/+$/, '');
}

export interface AuthProbe {
  backend: Exclude<MemoryBackendKind, 'embedded'>;
  baseUrl: string;
  apiKey: string;
  verifyTls: boolean;
  timeoutMs: number;
  /** Entity the self-hosted probe lists memories for (the server needs one). */
  userId?: string;
}

export type AuthOutcome = 'authenticated' | 'rejected' | 'locked' | 'unreachable' | 'error';

export interface AuthResult {
  outcome: AuthOutcome;
  url: string;
  statusCode?: number;
  message: string;
}

/**
 * Self-hosted mem0: `GET /memories?user_id=…` with `X-API-Key`. Platform: `GET /v1/ping/` with `Authorization: Token`.
 * 401/403 count as failures for the lockout; network errors do not (the key was never judged).
 */
export async function testAuthentication(probe: AuthProbe, lockout: AuthLockout): Promise<AuthResult> {
  const base = probe.baseUrl.replace(/\/+$/, '');
  const url = probe.backend === 'mem0' ? `${base}/memories?user_id=${encodeURIComponent(probe.userId ?? 'claude-pm')}&top_k=1` : `${base}/v1/ping/`;
  // What the result shows: credentials in the configured URL are masked.
  const shown = redact(url, [probe.apiKey]);
  const until = await lockout.lockedUntilFor(url);
  if (until) return { outcome: 'locked', url: shown, message: `locked after repeated failures until ${until.toISOString()}` };
  const headers = probe.backend === 'mem0' ? { 'x-api-key': probe.apiKey } : { authorization: `Token ${probe.apiKey}` };
  const dispatcher = new Agent({ connect: { rejectUnauthorized: probe.verifyTls } });
  try {
    const response = await request(url, { method: 'GET', headers, dispatcher, signal: AbortSignal.timeout(probe.timeoutMs) });
    const body = redact(await response.body.text(), [probe.apiKey]).slice(0, 200);
    if (response.statusCode >= 200 && response.statusCode < 300) {
      await lockout.recordSuccess(url);
      return { outcome: 'authenticated', url: shown, statusCode: response.statusCode, message: 'the key was accepted' };
    }
    if (response.statusCode === 401 || response.statusCode === 403) {
      const locked = await lockout.recordFailure(url, { statusCode: response.statusCode });
      return { outcome: 'rejected', url: shown, statusCode: response.statusCode, message: `the key was rejected (${response.statusCode})${locked ? '; the host is now locked' : ''}: ${body}` };
    }
    return { outcome: 'error', url: shown, statusCode: response.statusCode, message: `unexpected status ${response.statusCode}: ${body}` };
  } catch (error) {
    return { outcome: 'unreachable', url: shown, message: `cannot reach ${redact(base)}: ${redact((error as Error).message, [probe.apiKey])}` };
  } finally {
    await dispatcher.close();
  }
}

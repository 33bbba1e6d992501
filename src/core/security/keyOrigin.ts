import type { ResolvedConfig } from '../config/loadConfig';
import { redact } from '../common/redact';
import { memoryServiceUrl, PLATFORM_URL } from './testAuth';

// The CLI reads the memory key from the environment, but the URL from `.claude-pm/config.json`, which a cloned
// repository controls. A key goes only where the user pointed it: the hosted platform, this machine, a URL the
// user set in MEM0AI_URL, or an origin listed in CLAUDE_PM_KEY_ORIGINS.

export const KEY_ORIGINS_VARIABLE = 'CLAUDE_PM_KEY_ORIGINS';

/** A key would go to an origin that only the workspace's config names. */
export class KeyOriginError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyOriginError';
  }
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** The origins the user allowed in CLAUDE_PM_KEY_ORIGINS (comma-separated URLs or origins). */
export function allowedKeyOrigins(env: NodeJS.ProcessEnv): string[] {
  return (env[KEY_ORIGINS_VARIABLE] ?? '')
    .split(',')
    .map((entry) => originOf(entry.trim()))
    .filter((origin): origin is string => origin !== undefined);
}

/** Throws KeyOriginError unless an environment key may go to the configured memory service. */
export function checkKeyOrigin(config: ResolvedConfig, env: NodeJS.ProcessEnv): void {
  if (config.memory.backend === 'embedded' || env.MEM0AI_URL) return;
  const url = memoryServiceUrl(config, env);
  const origin = originOf(url);
  if (origin !== undefined && (LOOPBACK.has(new URL(origin).hostname) || origin === originOf(PLATFORM_URL) || allowedKeyOrigins(env).includes(origin))) return;
  const shown = redact(origin ?? url);
  throw new KeyOriginError(
    `not sending the API key to ${shown}: only ${config.configPath} names it, and a repository's config does not decide where your key goes. ` +
      `If it is your memory service, allow it with ${KEY_ORIGINS_VARIABLE}=${shown} (or set MEM0AI_URL).`,
  );
}

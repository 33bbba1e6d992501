import type { ResolvedConfig } from '../../core/config/loadConfig';
import { databaseUrlFrom } from '../../core/database/connection';
import { apiKeyFromEnv, type OpenMemoryOptions } from '../../core/memory/openMemory';
import { checkKeyOrigin } from '../../core/security/keyOrigin';

/** The memory key from the environment, once its destination is one the user chose (KeyOriginError otherwise). */
export function memoryKeyFromEnv(config: ResolvedConfig, env: NodeJS.ProcessEnv): string | undefined {
  const apiKey = apiKeyFromEnv(config.memory.backend, env);
  if (apiKey) checkKeyOrigin(config, env);
  return apiKey;
}

/** What a CLI run gives the memory service from its environment: that key, or the team database URL. */
export function memoryOptionsFromEnv(config: ResolvedConfig, env: NodeJS.ProcessEnv): Pick<OpenMemoryOptions, 'apiKey' | 'databaseUrl'> {
  const apiKey = memoryKeyFromEnv(config, env);
  const databaseUrl = config.memory.backend === 'postgres' ? databaseUrlFrom(env) : undefined;
  return { ...(apiKey ? { apiKey } : {}), ...(databaseUrl ? { databaseUrl } : {}) };
}

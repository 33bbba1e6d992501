import type { ResolvedConfig } from '../../core/config/loadConfig';
import { apiKeyFromEnv } from '../../core/memory/openMemory';
import { checkKeyOrigin } from '../../core/security/keyOrigin';

/** The memory key from the environment, once its destination is one the user chose (KeyOriginError otherwise). */
export function memoryKeyFromEnv(config: ResolvedConfig, env: NodeJS.ProcessEnv): string | undefined {
  const apiKey = apiKeyFromEnv(config.memory.backend, env);
  if (apiKey) checkKeyOrigin(config, env);
  return apiKey;
}

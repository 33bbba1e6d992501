import { basename, join } from 'node:path';
import type { Logger } from '../common/logger';
import { silentLogger } from '../common/logger';
import type { ResolvedConfig } from '../config/loadConfig';
import { CategoryRegistry } from './categoryRegistry';
import { EmbeddedStore } from './embeddedStore';
import { PlatformDialect, SelfHostedDialect } from './mem0Dialects';
import { MEM0_BREAKER, Mem0Http } from './mem0Http';
import { Mem0Store } from './mem0Store';
import { MemoryService } from './memoryService';
import { PostgresStore } from './postgresStore';
import { CircuitBreaker } from '../common/circuitBreaker';
import { DATABASE_URL_ENV } from '../database/connection';

const PLATFORM_URL = 'https://api.mem0.ai';
/** The URL loadConfig derives when none is configured: meaningless for the hosted platform. */
const DERIVED_DEFAULT_URL = 'http://localhost:8002';

/** Where a workspace's memory lives: event log, categories, outbox. */
export function memoryDir(workspaceRoot: string): string {
  return join(workspaceRoot, '.claude-pm', 'memory');
}

export interface OpenMemoryOptions {
  logger?: Logger;
  /** From SecretStorage (extension) or MEM0AI_API_KEY / MEM0_API_KEY (CLI); never from settings or files. */
  apiKey?: string;
  retries?: number;
  replayIntervalMs?: number;
  /** The team database (backend `postgres`): from SecretStorage or CLAUDE_PM_DATABASE_URL, never from settings or files. */
  databaseUrl?: string;
}

/** The API key environment variable of a backend, for the CLI. */
export function apiKeyFromEnv(backend: ResolvedConfig['memory']['backend'], env: NodeJS.ProcessEnv): string | undefined {
  if (backend === 'mem0') return env.MEM0AI_API_KEY;
  if (backend === 'mem0-platform') return env.MEM0_API_KEY;
  return undefined;
}

/** Builds the memory service for a workspace from its resolved config. Does no I/O until first used. */
export function createMemoryService(config: ResolvedConfig, options: OpenMemoryOptions = {}): MemoryService {
  const dir = memoryDir(config.workspaceRoot);
  const logger = options.logger ?? silentLogger;
  const categories = new CategoryRegistry(dir);
  const { backend } = config.memory;
  if (backend === 'embedded') {
    const store = new EmbeddedStore(dir, logger);
    return new MemoryService(store, categories, store);
  }
  if (backend === 'postgres') {
    if (!options.databaseUrl) {
      throw new Error(`memory_service.backend is "postgres" but no database URL is set: run "Claude PM: Set Database URL" in the editor, or set ${DATABASE_URL_ENV} for the CLI.`);
    }
    const store = new PostgresStore(options.databaseUrl, dir, { logger, ...(options.replayIntervalMs !== undefined ? { replayIntervalMs: options.replayIntervalMs } : {}) });
    return new MemoryService(store, categories, store);
  }
  const platform = backend === 'mem0-platform';
  const baseUrl = platform && config.memory.baseUrl === DERIVED_DEFAULT_URL ? PLATFORM_URL : config.memory.baseUrl;
  const headers: Record<string, string> = {};
  if (options.apiKey) headers[platform ? 'authorization' : 'x-api-key'] = platform ? `Token ${options.apiKey}` : options.apiKey;
  const http = new Mem0Http({
    baseUrl,
    headers,
    timeoutMs: config.memory.timeoutMs,
    verifyTls: config.memory.verifyTls,
    breaker: new CircuitBreaker({ now: Date.now }, MEM0_BREAKER),
    ...(options.retries !== undefined ? { retries: options.retries } : {}),
  });
  const userId = config.memory.userId ?? basename(config.workspaceRoot);
  const dialect = platform ? new PlatformDialect(http, userId) : new SelfHostedDialect(http, userId);
  const store = new Mem0Store(dialect, http, dir, { logger, ...(options.replayIntervalMs !== undefined ? { replayIntervalMs: options.replayIntervalMs } : {}) });
  return new MemoryService(store, categories, store);
}

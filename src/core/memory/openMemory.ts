import { join } from 'node:path';
import type { Logger } from '../common/logger';
import { silentLogger } from '../common/logger';
import type { ResolvedConfig } from '../config/loadConfig';
import { CategoryRegistry } from './categoryRegistry';
import { EmbeddedStore } from './embeddedStore';
import { MemoryService } from './memoryService';

/** Where a workspace's memory lives: event log, categories, outbox. */
export function memoryDir(workspaceRoot: string): string {
  return join(workspaceRoot, '.claude-pm', 'memory');
}

export interface OpenMemoryOptions {
  logger?: Logger;
}

/** Builds the memory service for a workspace from its resolved config. Does no I/O until first used. */
export function createMemoryService(config: ResolvedConfig, options: OpenMemoryOptions = {}): MemoryService {
  const dir = memoryDir(config.workspaceRoot);
  const logger = options.logger ?? silentLogger;
  const store = new EmbeddedStore(dir, logger);
  return new MemoryService(store, new CategoryRegistry(dir), store);
}

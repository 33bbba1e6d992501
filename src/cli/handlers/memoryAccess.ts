import type { MemoryService } from '../../core/memory/memoryService';
import { createMemoryService } from '../../core/memory/openMemory';
import type { CliContext } from '../framework';
import { memoryOptionsFromEnv } from './memoryKey';

/** Runs `action` on the caller's open service (the MCP server's), or on one opened and disposed of for this command. */
export async function withMemoryService<T>(ctx: CliContext, action: (service: MemoryService) => Promise<T>): Promise<T> {
  if (ctx.shared.memory) return action(ctx.shared.memory);
  const config = await ctx.config();
  const service = createMemoryService(config, { logger: ctx.logger, ...memoryOptionsFromEnv(config, ctx.env) });
  try {
    return await action(service);
  } finally {
    await service.dispose();
  }
}

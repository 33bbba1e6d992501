import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { writeFileAtomic } from '../../core/common/atomicFile';
import { parseMemoryJsonl, toMemoryJsonl } from '../../core/memory/jsonlTransfer';
import type { MemoryService } from '../../core/memory/memoryService';
import { createMemoryService } from '../../core/memory/openMemory';
import { memoryKeyFromEnv } from './memoryKey';
import type { MemoryRecord } from '../../core/memory/types';
import { UsageError, requireArg, type CliHandlers, type CliContext } from '../framework';
import { setOwn } from '../../core/common/ownKeys';

async function openService(ctx: CliContext): Promise<MemoryService> {
  const config = await ctx.config();
  const apiKey = memoryKeyFromEnv(config, ctx.env);
  return createMemoryService(config, { logger: ctx.logger, ...(apiKey ? { apiKey } : {}) });
}

function asList(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

function parseLimit(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new UsageError(`--limit must be a whole number from 1 to 10000, not '${String(value)}'`);
  return n;
}

function parseMeta(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of values) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--meta takes key=value, not '${pair}'`);
    setOwn(out, pair.slice(0, at), pair.slice(at + 1));
  }
  return out;
}

function toJson(memory: MemoryRecord, score?: number) {
  return { id: memory.id, content: memory.content, category: memory.category, ...(score !== undefined ? { score } : {}), metadata: memory.metadata, tags: memory.tags, created_at: memory.createdAt };
}

const oneLine = (text: string) => (text.length > 100 ? `${text.slice(0, 99)}…` : text).replace(/\s+/g, ' ');

/** Runs `action` on the caller's open service, or on one opened and disposed of for this command. */
async function withService<T>(ctx: CliContext, action: (service: MemoryService) => Promise<T>): Promise<T> {
  if (ctx.shared.memory) return action(ctx.shared.memory);
  const service = await openService(ctx);
  try {
    return await action(service);
  } finally {
    await service.dispose();
  }
}

export const memoryHandlers = {
  memoryAdd: async (ctx, values, positionals) => {
    const content = positionals.join(' ').trim();
    if (!content) throw new UsageError('missing TEXT');
    if (typeof values.category !== 'string') throw new UsageError('missing --category');
    const result = await withService(ctx, (service) =>
      service.add({
        content,
        category: values.category as string,
        tags: asList(values.tag),
        metadata: parseMeta(asList(values.meta)),
        ...(typeof values.project === 'string' ? { projectId: values.project } : {}),
      }),
    );
    const { memory, duplicate } = result;
    ctx.print({ ...toJson(memory), duplicate, ...(memory.nearDuplicateOf ? { near_duplicate_of: memory.nearDuplicateOf } : {}) }, () =>
      duplicate ? `Already remembered as ${memory.id}` : `Remembered ${memory.id}${memory.nearDuplicateOf ? ` (almost the same as ${memory.nearDuplicateOf})` : ''}`,
    );
    return 0;
  },
  memorySearch: async (ctx, values, positionals) => {
    const query = positionals.join(' ').trim();
    if (!query) throw new UsageError('missing QUERY');
    const hits = await withService(ctx, (service) =>
      service.search(query, { limit: parseLimit(values.limit, 10), ...(typeof values.category === 'string' ? { category: values.category } : {}), ...(values.tag ? { tags: asList(values.tag) } : {}) }),
    );
    ctx.print(
      hits.map((h) => toJson(h.memory, h.score)),
      () => (hits.length === 0 ? 'No matching memories.' : hits.map((h) => `${h.memory.id}  [${h.memory.category}] ${h.score.toFixed(2)}  ${oneLine(h.memory.content)}`).join('\n')),
    );
    return 0;
  },
  memoryList: async (ctx, values) => {
    const memories = await withService(ctx, (service) =>
      service.list({ ...(typeof values.category === 'string' ? { category: values.category } : {}), ...(values.limit !== undefined ? { limit: parseLimit(values.limit, 100) } : {}) }),
    );
    ctx.print(
      memories.map((m) => toJson(m)),
      () => (memories.length === 0 ? 'No memories.' : memories.map((m) => `${m.id}  [${m.category}] ${m.createdAt.slice(0, 10)}  ${oneLine(m.content)}`).join('\n')),
    );
    return 0;
  },
  memoryDelete: async (ctx, _values, positionals) => {
    const id = requireArg(positionals, 0, 'ID');
    const deleted = await withService(ctx, (service) => service.delete(id));
    if (!deleted) {
      ctx.logger.error(`No memory with id '${id}'.`);
      return 1;
    }
    ctx.print({ id, deleted: true }, `Deleted ${id}`);
    return 0;
  },
  memoryImport: async (ctx, _values, positionals) => {
    const file = resolve(ctx.cwd, requireArg(positionals, 0, 'FILE'));
    const { items, problems } = parseMemoryJsonl(await readFile(file, 'utf8'));
    if (problems.length > 0) {
      for (const p of problems.slice(0, 20)) ctx.logger.error(`${file}:${p.line}: ${p.message}`);
      ctx.logger.error(`Nothing imported: ${problems.length} invalid line(s).`);
      return 1;
    }
    const results = await withService(ctx, (service) => service.addBatch(items));
    const added = results.filter((r) => !r.duplicate).length;
    ctx.print({ added, duplicates: results.length - added }, `Imported ${added} memories (${results.length - added} already present).`);
    return 0;
  },
  memoryExport: async (ctx, values, positionals) => {
    const file = resolve(ctx.cwd, requireArg(positionals, 0, 'FILE'));
    const memories = await withService(ctx, (service) => service.list(typeof values.category === 'string' ? { category: values.category } : {}));
    await writeFileAtomic(file, toMemoryJsonl(memories));
    ctx.print({ exported: memories.length, file }, `Exported ${memories.length} memories to ${file}`);
    return 0;
  },
} satisfies CliHandlers;

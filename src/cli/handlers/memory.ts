import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../core/common/atomicFile';
import { parseMemoryJsonl, toMemoryJsonl } from '../../core/memory/jsonlTransfer';
import { describeSessionContext } from '../../core/memory/memoryService';
import { withMemoryService } from './memoryAccess';
import { BUILTIN_CATEGORIES, SESSION_CATEGORY, type MemoryRecord } from '../../core/memory/types';
import { UsageError, requireArg, type CliHandlers } from '../framework';
import { setOwn } from '../../core/common/ownKeys';

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

function parseThreshold(value: unknown): number {
  const n = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !(n >= 0 && n <= 1)) throw new UsageError(`--threshold must be a number from 0 to 1 (a share of the best hit's score), not '${String(value)}'`);
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

export const memoryHandlers = {
  memoryAdd: async (ctx, values, positionals) => {
    const content = positionals.join(' ').trim();
    if (!content) throw new UsageError('missing TEXT');
    if (typeof values.category !== 'string') throw new UsageError('missing --category');
    const result = await withMemoryService(ctx, (service) =>
      service.add({
        content,
        category: values.category as string,
        tags: asList(values.tag),
        metadata: parseMeta(asList(values.meta)),
        ...(typeof values.project === 'string' ? { projectId: values.project } : {}),
      }),
    );
    const { memory, duplicate } = result;
    await ctx.audit({ event: 'memory_write', action: duplicate ? 'add memory (already present)' : 'add memory', target: memory.id, details: { category: memory.category } });
    ctx.print({ ...toJson(memory), duplicate, ...(memory.nearDuplicateOf ? { near_duplicate_of: memory.nearDuplicateOf } : {}) }, () =>
      duplicate ? `Already remembered as ${memory.id}` : `Remembered ${memory.id}${memory.nearDuplicateOf ? ` (almost the same as ${memory.nearDuplicateOf})` : ''}`,
    );
    return 0;
  },
  memorySearch: async (ctx, values, positionals) => {
    const query = positionals.join(' ').trim();
    if (!query) throw new UsageError('missing QUERY');
    const hits = await withMemoryService(ctx, (service) =>
      service.search(query, {
        limit: parseLimit(values.limit, 10),
        ...(typeof values.category === 'string' ? { category: values.category } : {}),
        ...(values.tag ? { tags: asList(values.tag) } : {}),
        ...(typeof values.technology === 'string' ? { technology: values.technology } : {}),
        ...(typeof values.project === 'string' ? { projectId: values.project } : {}),
        ...(values.threshold !== undefined ? { threshold: parseThreshold(values.threshold) } : {}),
      }),
    );
    ctx.print(
      hits.map((h) => toJson(h.memory, h.score)),
      () => (hits.length === 0 ? 'No matching memories.' : hits.map((h) => `${h.memory.id}  [${h.memory.category}] ${h.score.toFixed(2)}  ${oneLine(h.memory.content)}`).join('\n')),
    );
    return 0;
  },
  memoryList: async (ctx, values) => {
    const memories = await withMemoryService(ctx, (service) =>
      service.list({
        ...(typeof values.category === 'string' ? { category: values.category } : {}),
        ...(typeof values.project === 'string' ? { projectId: values.project } : {}),
        ...(values.limit !== undefined ? { limit: parseLimit(values.limit, 100) } : {}),
      }),
    );
    ctx.print(
      memories.map((m) => toJson(m)),
      () => (memories.length === 0 ? 'No memories.' : memories.map((m) => `${m.id}  [${m.category}] ${m.createdAt.slice(0, 10)}  ${oneLine(m.content)}`).join('\n')),
    );
    return 0;
  },
  memoryDelete: async (ctx, _values, positionals) => {
    const id = requireArg(positionals, 0, 'ID');
    const deleted = await withMemoryService(ctx, (service) => service.delete(id));
    await ctx.audit({ event: 'memory_delete', action: deleted ? 'delete memory' : 'delete memory (not found)', target: id });
    if (!deleted) {
      ctx.logger.error(`No memory with id '${id}'.`);
      return 1;
    }
    ctx.print({ id, deleted: true }, `Deleted ${id}`);
    return 0;
  },
  memoryImport: async (ctx, _values, positionals) => {
    const file = ctx.inputPath(requireArg(positionals, 0, 'FILE'));
    const { items, problems } = parseMemoryJsonl(await readFile(file, 'utf8'));
    if (problems.length > 0) {
      for (const p of problems.slice(0, 20)) ctx.logger.error(`${file}:${p.line}: ${p.message}`);
      ctx.logger.error(`Nothing imported: ${problems.length} invalid line(s).`);
      return 1;
    }
    const results = await withMemoryService(ctx, (service) => service.addBatch(items));
    const added = results.filter((r) => !r.duplicate).length;
    await ctx.audit({ event: 'memory_write', action: 'import memories', target: file, details: { added, duplicates: results.length - added } });
    ctx.print({ added, duplicates: results.length - added }, `Imported ${added} memories (${results.length - added} already present).`);
    return 0;
  },
  memoryExport: async (ctx, values, positionals) => {
    const file = await ctx.outputPath(requireArg(positionals, 0, 'FILE'));
    const memories = await withMemoryService(ctx, (service) => service.list(typeof values.category === 'string' ? { category: values.category } : {}));
    await writeFileAtomic(file, toMemoryJsonl(memories));
    await ctx.audit({ event: 'memory_export', action: 'export memories', target: file, details: { exported: memories.length, ...(typeof values.category === 'string' ? { category: values.category } : {}) } });
    ctx.print({ exported: memories.length, file }, `Exported ${memories.length} memories to ${file}`);
    return 0;
  },
  memoryCategoriesList: async (ctx) => {
    const categories = await withMemoryService(ctx, (service) => service.categories.all());
    const rows = [...categories].map(([name, description]) => ({ name, description, builtin: BUILTIN.has(name) }));
    ctx.print(rows, () => rows.map((r) => `${r.name}${r.builtin ? ' (built-in)' : ''}  ${r.description}`).join('\n'));
    return 0;
  },
  memoryCategoriesAdd: async (ctx, _values, positionals) => {
    const name = requireArg(positionals, 0, 'NAME');
    const description = positionals.slice(1).join(' ').trim();
    if (!description) throw new UsageError('missing DESCRIPTION');
    await withMemoryService(ctx, (service) => service.registerCategory(name, description));
    ctx.print({ name, description }, `Registered the memory category '${name}'.`);
    return 0;
  },
  memoryCategoriesRename: async (ctx, _values, positionals) => {
    const from = requireArg(positionals, 0, 'NAME');
    const to = requireArg(positionals, 1, 'NEW_NAME');
    const moved = await withMemoryService(ctx, (service) => service.renameCategory(from, to));
    ctx.print({ from, to, moved }, `Renamed '${from}' to '${to}' (${moved === 1 ? '1 memory' : `${moved} memories`} moved).`);
    return 0;
  },
  memoryCategoriesRemove: async (ctx, _values, positionals) => {
    const name = requireArg(positionals, 0, 'NAME');
    await withMemoryService(ctx, (service) => service.removeCategory(name));
    ctx.print({ name, removed: true }, `Removed the memory category '${name}'.`);
    return 0;
  },
  memoryContextSave: async (ctx, values, positionals) => {
    const session = requireArg(positionals, 0, 'SESSION');
    const context = {
      ...(typeof values.task === 'string' ? { currentTask: values.task } : {}),
      ...(values.technology ? { technologies: asList(values.technology) } : {}),
      ...(typeof values.progress === 'string' ? { progress: values.progress } : {}),
      ...(values.next ? { nextSteps: asList(values.next) } : {}),
    };
    if (Object.keys(context).length === 0) throw new UsageError('give at least one of --task, --technology, --progress, --next');
    const memory = await withMemoryService(ctx, (service) => service.storeSessionContext(session, context));
    ctx.print({ session, context, id: memory.id }, `Saved the context of session '${session}'.`);
    return 0;
  },
  memoryContextShow: async (ctx, _values, positionals) => {
    const session = positionals[0];
    if (session === undefined) {
      const sessions = await withMemoryService(ctx, (service) => service.sessionContexts());
      ctx.print(
        sessions.map((s) => ({ session: s.sessionId, context: s.context, updated_at: s.updatedAt })),
        () => (sessions.length === 0 ? 'No stored session contexts.' : sessions.map((s) => `${s.sessionId}  ${s.updatedAt.slice(0, 16).replace('T', ' ')}  ${oneLine(s.context.currentTask ?? '')}`).join('\n')),
      );
      return 0;
    }
    const context = await withMemoryService(ctx, (service) => service.getSessionContext(session));
    if (!context) {
      ctx.logger.error(`No stored context for session '${session}'. Run 'claude-pm memory context show' to list the stored ones.`);
      return 1;
    }
    ctx.print({ session, context }, () => describeSessionContext(session, context));
    return 0;
  },
  memoryContextSwitch: async (ctx, _values, positionals) => {
    const from = requireArg(positionals, 0, 'FROM');
    const to = requireArg(positionals, 1, 'TO');
    const { carried, context } = await withMemoryService(ctx, async (service) => {
      const patterns = await service.switchContext(from, to, { preservePatterns: true, transferRelevantMemories: true });
      return { carried: patterns, context: await service.getSessionContext(to) };
    });
    ctx.print({ from, to, context: context ?? null, carried: carried.map((m) => toJson(m)) }, () =>
      [
        `Switched from '${from}' to '${to}'; ${carried.length === 1 ? '1 pattern' : `${carried.length} patterns`} carried over (tagged context:${to}).`,
        ...(context ? [describeSessionContext(to, context)] : [`No stored context for '${to}' yet: save one with 'claude-pm memory context save ${to} --task …'.`]),
      ].join('\n'),
    );
    return 0;
  },
} satisfies CliHandlers;

const BUILTIN = new Set([...Object.keys(BUILTIN_CATEGORIES), SESSION_CATEGORY]);

import { z } from 'zod';
import type { MemoryRecord, NewMemory } from './types';

/** One line of an import file: our export format, or a minimal `{content, category}`. */
const importLineSchema = z
  .object({
    content: z.string().min(1),
    category: z.string().min(1),
    tags: z.array(z.string()).optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
    project_id: z.string().optional(),
  })
  .passthrough();

export interface ImportProblem {
  line: number;
  message: string;
}

/** Parses a JSONL import; every bad line is reported with its number so nothing is dropped silently. */
export function parseMemoryJsonl(text: string): { items: NewMemory[]; problems: ImportProblem[] } {
  const items: NewMemory[] = [];
  const problems: ImportProblem[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      problems.push({ line: i + 1, message: `not JSON (${(error as Error).message})` });
      return;
    }
    const parsed = importLineSchema.safeParse(value);
    if (!parsed.success) {
      problems.push({ line: i + 1, message: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'line'}: ${issue.message}`).join('; ') });
      return;
    }
    const { content, category, tags, metadata, project_id } = parsed.data;
    items.push({ content, category, ...(tags ? { tags } : {}), ...(metadata ? { metadata } : {}), ...(project_id ? { projectId: project_id } : {}) });
  });
  return { items, problems };
}

/** Serialises memories as JSONL, one memory a line, snake_case like the mem0 APIs. */
export function toMemoryJsonl(memories: readonly MemoryRecord[]): string {
  return memories
    .map((m) =>
      JSON.stringify({
        id: m.id,
        content: m.content,
        category: m.category,
        tags: m.tags,
        metadata: m.metadata,
        ...(m.projectId ? { project_id: m.projectId } : {}),
        hash: m.hash,
        created_at: m.createdAt,
        updated_at: m.updatedAt,
      }),
    )
    .map((line) => `${line}\n`)
    .join('');
}

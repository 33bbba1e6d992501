import { contentHash, similarity, terms } from './text';
import type { CategoryRegistry } from './categoryRegistry';
import {
  SESSION_CATEGORY,
  type AddResult,
  type BackendStatus,
  type HistoryEntry,
  type ListOptions,
  type MemoryBackend,
  type MemoryChanges,
  type MemoryRecord,
  type NewMemory,
  type SearchHit,
  type SearchOptions,
} from './types';

/** A synchronous, I/O-free index the editor can consult on every hover. */
export interface LocalLookup {
  readonly isLoaded: boolean;
  load(): Promise<void>;
  lookup(query: string, limit: number, accept?: (m: MemoryRecord) => boolean): SearchHit[];
  snapshot(): readonly MemoryRecord[];
  onDidChange(listener: () => void): () => void;
}

export interface PatternInput {
  patternType: string;
  implementation: string;
  useCase: string;
  codeExample?: string;
  technology?: string;
  tags?: string[];
  projectId?: string;
}

export interface SessionContext {
  currentTask?: string;
  technologies?: string[];
  progress?: string;
  nextSteps?: string[];
  [key: string]: unknown;
}

export interface TaskOutcome {
  task: string;
  status: 'completed' | 'failed';
  agentType?: string;
  /** What was done (completed) or what went wrong (failed). */
  summary: string;
  error?: string;
  projectId?: string;
}

/** A session context as text: the memory's content, and what the CLI shows. */
export function describeSessionContext(sessionId: string, context: SessionContext): string {
  return [
    `Session ${sessionId}`,
    context.currentTask ? `Task: ${context.currentTask}` : '',
    context.technologies?.length ? `Technologies: ${context.technologies.join(', ')}` : '',
    context.progress ? `Progress: ${context.progress}` : '',
    context.nextSteps?.length ? `Next: ${context.nextSteps.join('; ')}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

const NEAR_DUPLICATE = 0.85;
/** Rough size of a memory in prompt tokens: four characters a token. */
const estimateTokens = (text: string) => Math.ceil(text.length / 4);

/**
 * The memory operations the framework promises, over any backend: dedupe by content hash, near-duplicate
 * flags, category checks, patterns, error solutions, session contexts, and the orchestration hooks
 * `relevantForTask` and `recordOutcome`.
 */
export class MemoryService {
  constructor(
    readonly backend: MemoryBackend,
    readonly categories: CategoryRegistry,
    readonly local: LocalLookup,
  ) {}

  async add(input: NewMemory): Promise<AddResult> {
    await this.checkCategory(input.category);
    const content = input.content.trim();
    if (content === '') throw new Error('A memory needs some content.');
    const hash = contentHash(content, input.category);
    const nearDuplicateOf = await this.findNearDuplicate(content, input.category, hash);
    return this.backend.add({ ...input, content, ...(nearDuplicateOf ? { nearDuplicateOf } : {}) }, hash);
  }

  async addBatch(inputs: NewMemory[]): Promise<AddResult[]> {
    for (const category of new Set(inputs.map((i) => i.category))) await this.checkCategory(category);
    const items = inputs.map((input) => {
      const content = input.content.trim();
      if (content === '') throw new Error('A memory needs some content.');
      return { input: { ...input, content }, hash: contentHash(content, input.category) };
    });
    return this.backend.addBatch(items);
  }

  addPattern(pattern: PatternInput): Promise<AddResult> {
    const content = [
      `${pattern.patternType}: ${pattern.implementation}`,
      `Use case: ${pattern.useCase}`,
      ...(pattern.codeExample ? [`Example:\n${pattern.codeExample.trim()}`] : []),
    ].join('\n');
    return this.add({
      content,
      category: 'pattern',
      tags: [pattern.patternType, ...(pattern.tags ?? [])],
      metadata: {
        pattern_type: pattern.patternType,
        implementation: pattern.implementation,
        use_case: pattern.useCase,
        ...(pattern.technology ? { technology: pattern.technology } : {}),
      },
      ...(pattern.projectId ? { projectId: pattern.projectId } : {}),
    });
  }

  get(id: string): Promise<MemoryRecord | undefined> {
    return this.backend.get(id);
  }

  list(options: ListOptions = {}): Promise<MemoryRecord[]> {
    return this.backend.list(options);
  }

  getProjectMemories(projectId: string, category?: string, limit = 10): Promise<MemoryRecord[]> {
    return this.backend.list({ projectId, ...(category ? { category } : {}), limit });
  }

  search(query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
    return this.backend.search(query, options);
  }

  searchPatterns(query: string, options: { technology?: string; confidenceThreshold?: number; limit?: number } = {}): Promise<SearchHit[]> {
    return this.backend.search(query, {
      category: 'pattern',
      ...(options.technology ? { technology: options.technology } : {}),
      ...(options.confidenceThreshold !== undefined ? { threshold: options.confidenceThreshold } : {}),
      limit: options.limit ?? 10,
    });
  }

  /** Error memories for an error type in a context, best first. */
  errorSolutions(errorType: string, context = '', limit = 5): Promise<SearchHit[]> {
    return this.backend.search(`${errorType} ${context}`.trim(), { category: 'error', limit });
  }

  async update(id: string, changes: MemoryChanges): Promise<MemoryRecord> {
    if (changes.category) await this.checkCategory(changes.category);
    let hash: string | undefined;
    if (changes.content !== undefined || changes.category !== undefined) {
      const current = await this.backend.get(id);
      hash = contentHash(changes.content ?? current?.content ?? '', changes.category ?? current?.category ?? '');
    }
    return this.backend.update(id, changes, hash);
  }

  delete(id: string): Promise<boolean> {
    return this.backend.delete(id);
  }

  history(id: string): Promise<HistoryEntry[]> {
    return this.backend.history(id);
  }

  registerCategory(name: string, description: string): Promise<void> {
    return this.categories.register(name, description);
  }

  /** Renames a custom category and moves its memories along (each keeps its id and history). */
  async renameCategory(from: string, to: string): Promise<number> {
    await this.categories.rename(from, to);
    const moved = await this.backend.list({ category: from });
    for (const memory of moved) await this.backend.update(memory.id, { category: to }, contentHash(memory.content, to));
    return moved.length;
  }

  /** Removes a custom category no memory uses any more. */
  async removeCategory(name: string): Promise<void> {
    const used = (await this.backend.list({ category: name, limit: 1 })).length > 0;
    if (used) throw new Error(`Memories still use the category '${name}': rename the category or delete them first.`);
    await this.categories.remove(name);
  }

  /** Stored session contexts, most recently updated first. */
  async sessionContexts(): Promise<{ sessionId: string; context: SessionContext; updatedAt: string }[]> {
    const sessions = await this.backend.list({ category: SESSION_CATEGORY });
    return sessions
      .filter((m) => typeof m.metadata.session_id === 'string')
      .map((m) => ({ sessionId: m.metadata.session_id as string, context: (m.metadata.context ?? {}) as SessionContext, updatedAt: m.updatedAt }))
      .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0));
  }

  /** Stores a session's working context; a later call for the same session replaces it. */
  async storeSessionContext(sessionId: string, context: SessionContext): Promise<MemoryRecord> {
    const content = describeSessionContext(sessionId, context);
    const metadata = { session_id: sessionId, context };
    const existing = await this.findSession(sessionId);
    if (existing) return this.update(existing.id, { content, metadata });
    return (await this.add({ content, category: SESSION_CATEGORY, tags: [`session:${sessionId}`], metadata })).memory;
  }

  async getSessionContext(sessionId: string): Promise<SessionContext | undefined> {
    const memory = await this.findSession(sessionId);
    return memory?.metadata.context as SessionContext | undefined;
  }

  /**
   * Moves from one working context to another: returns the pattern memories relevant to both, and with
   * `transferRelevantMemories` tags them `context:<to>` so the new context finds them.
   */
  async switchContext(from: string, to: string, options: { preservePatterns?: boolean; transferRelevantMemories?: boolean } = {}): Promise<MemoryRecord[]> {
    if (options.preservePatterns === false) return [];
    const hits = await this.backend.search(`${from} ${to}`, { category: 'pattern', limit: 20 });
    const carried = hits.map((h) => h.memory);
    if (!options.transferRelevantMemories) return carried;
    const tag = `context:${to}`;
    const tagged: MemoryRecord[] = [];
    for (const memory of carried) tagged.push(memory.tags.includes(tag) ? memory : await this.backend.update(memory.id, { tags: [...memory.tags, tag] }, undefined));
    return tagged;
  }

  /**
   * For orchestration: the most relevant memories for a task (at most `limit`, default 5) whose contents fit
   * in `tokenBudget` tokens together, best first. Sessions are excluded.
   */
  async relevantForTask(task: string, options: { tokenBudget?: number; limit?: number; projectId?: string } = {}): Promise<MemoryRecord[]> {
    const limit = options.limit ?? 5;
    const budget = options.tokenBudget ?? 1500;
    const hits = await this.backend.search(task, { limit: limit * 3, ...(options.projectId ? { projectId: options.projectId } : {}) });
    const out: MemoryRecord[] = [];
    let used = 0;
    for (const { memory } of hits) {
      if (memory.category === SESSION_CATEGORY) continue;
      const cost = estimateTokens(memory.content);
      if (used + cost > budget) continue;
      out.push(memory);
      used += cost;
      if (out.length === limit) break;
    }
    return out;
  }

  /** For orchestration: a completed step becomes a project memory, a failure an error memory. */
  recordOutcome(outcome: TaskOutcome): Promise<AddResult> {
    const failed = outcome.status === 'failed';
    const content = failed ? `Failed: ${outcome.task}\nError: ${outcome.error ?? outcome.summary}\n${outcome.error ? outcome.summary : ''}`.trim() : `Completed: ${outcome.task}\n${outcome.summary}`;
    return this.add({
      content,
      category: failed ? 'error' : 'project',
      tags: [outcome.status, ...(outcome.agentType ? [`agent:${outcome.agentType}`] : [])],
      metadata: { source: 'orchestration', status: outcome.status, ...(outcome.agentType ? { agent_type: outcome.agentType } : {}) },
      ...(outcome.projectId ? { projectId: outcome.projectId } : {}),
    });
  }

  /**
   * Hover lookup from the in-memory index, no I/O: pattern and error memories first, then by score.
   * Empty until the local index is loaded (`local.load()` runs in the background).
   */
  lookup(text: string, limit = 5): SearchHit[] {
    if (!this.local.isLoaded) return [];
    const hits = this.local.lookup(text, limit * 2, (m) => m.category !== SESSION_CATEGORY);
    const rank = (h: SearchHit) => (h.memory.category === 'pattern' || h.memory.category === 'error' ? 0 : 1);
    return hits.sort((a, b) => rank(a) - rank(b) || b.score - a.score).slice(0, limit);
  }

  /** Memories per category from the in-memory snapshot (no I/O); null-prototype, as categories are user text. */
  counts(): Record<string, number> {
    const out: Record<string, number> = Object.create(null) as Record<string, number>;
    for (const m of this.local.snapshot()) out[m.category] = (out[m.category] ?? 0) + 1;
    return out;
  }

  status(): BackendStatus {
    return this.backend.status();
  }

  onStatusChange(listener: (status: BackendStatus) => void): () => void {
    return this.backend.onStatusChange(listener);
  }

  dispose(): Promise<void> {
    return this.backend.dispose();
  }

  private async checkCategory(category: string): Promise<void> {
    if (!(await this.categories.has(category))) {
      const known = [...(await this.categories.all()).keys()].join(', ');
      throw new Error(`Unknown memory category '${category}'. Known: ${known}. Register a custom category first.`);
    }
  }

  /** Best effort: the flag is a hint, so a failing search (server down) must not block the write. */
  private async findNearDuplicate(content: string, category: string, hash: string): Promise<string | undefined> {
    const hits = await this.backend.search(content, { category, limit: 3, exact: true }).catch(() => []);
    const mine = terms(content);
    for (const { memory } of hits) {
      if (memory.hash !== hash && similarity(mine, terms(memory.content)) >= NEAR_DUPLICATE) return memory.id;
    }
    return undefined;
  }

  private async findSession(sessionId: string): Promise<MemoryRecord | undefined> {
    const sessions = await this.backend.list({ category: SESSION_CATEGORY });
    return sessions.find((m) => m.metadata.session_id === sessionId);
  }
}

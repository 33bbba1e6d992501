import { z } from 'zod';

/** The framework's built-in categories; custom ones are registered with a description. */
export const BUILTIN_CATEGORIES = {
  project: 'Project decisions and architecture choices',
  pattern: 'Reusable code patterns and implementations',
  team: 'Team preferences and conventions',
  error: 'Errors and their solutions',
} as const;
export type BuiltinCategory = keyof typeof BUILTIN_CATEGORIES;

/** Session contexts are stored as memories of this category so every backend keeps them. */
export const SESSION_CATEGORY = 'session';

export const categoryNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z0-9_-]*$/, 'a category is lower-case letters, digits, "-" or "_", starting with a letter');

export const memoryRecordSchema = z.object({
  id: z.string().min(1),
  content: z.string(),
  category: z.string().min(1),
  tags: z.array(z.string()).default([]),
  metadata: z.record(z.string(), z.unknown()).default({}),
  projectId: z.string().optional(),
  hash: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Set when the content was almost identical to an existing memory at write time. */
  nearDuplicateOf: z.string().optional(),
});
export type MemoryRecord = z.infer<typeof memoryRecordSchema>;

/** What a caller supplies to create a memory. */
export interface NewMemory {
  content: string;
  category: string;
  tags?: string[];
  metadata?: Record<string, unknown>;
  projectId?: string;
  /** Id of an almost identical existing memory, flagged by the service. */
  nearDuplicateOf?: string;
}

export interface MemoryChanges {
  content?: string;
  category?: string;
  tags?: string[];
  metadata?: Record<string, unknown>;
}

export interface AddResult {
  memory: MemoryRecord;
  /** True when an identical memory (same content hash and category) already existed and was returned instead. */
  duplicate: boolean;
}

export interface SearchOptions {
  category?: string;
  /** Matches `metadata.technology` case-insensitively. */
  technology?: string;
  /** Every listed tag must be present. */
  tags?: string[];
  projectId?: string;
  limit?: number;
  /** Minimum relative score in [0, 1] (1 = as good as the best hit). */
  threshold?: number;
  /** Exact terms only (no fuzzy, prefix or synonyms): cheap checks such as near-duplicate detection. */
  exact?: boolean;
}

export interface SearchHit {
  memory: MemoryRecord;
  /** In [0, 1]: the hit's score relative to the best hit of the query. */
  score: number;
}

export interface ListOptions {
  category?: string;
  projectId?: string;
  limit?: number;
}

export interface HistoryEntry {
  event: 'ADD' | 'UPDATE' | 'DELETE';
  at: string;
  oldContent?: string;
  newContent?: string;
}

export type BackendKind = 'embedded' | 'mem0' | 'mem0-platform' | 'postgres';

/** What the Memory view, status bar and dashboard show: `{kind, state, queuedWrites}`. */
export interface BackendStatus {
  kind: BackendKind;
  state: 'ready' | 'connected' | 'down';
  queuedWrites: number;
  detail?: string;
}

/** One storage behind the service: the embedded event log, a mem0 server or the team's PostgreSQL database. */
export interface MemoryBackend {
  readonly kind: BackendKind;
  add(input: NewMemory, hash: string): Promise<AddResult>;
  addBatch(inputs: { input: NewMemory; hash: string }[]): Promise<AddResult[]>;
  get(id: string): Promise<MemoryRecord | undefined>;
  list(options: ListOptions): Promise<MemoryRecord[]>;
  search(query: string, options: SearchOptions): Promise<SearchHit[]>;
  update(id: string, changes: MemoryChanges, hash: string | undefined): Promise<MemoryRecord>;
  delete(id: string): Promise<boolean>;
  history(id: string): Promise<HistoryEntry[]>;
  status(): BackendStatus;
  onStatusChange(listener: (status: BackendStatus) => void): () => void;
  dispose(): Promise<void>;
}

export class MemoryNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`No memory with id '${id}'.`);
    this.name = 'MemoryNotFoundError';
  }
}

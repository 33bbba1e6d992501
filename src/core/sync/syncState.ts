// `.claude-pm/sync/github.json`: what the last sync of each repository saw and wrote, so the next one can tell
// which side changed. Keyed by user text (repository names, URLs), so it lives in Maps, never in plain objects.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../common/atomicFile';
import { parseJsonText } from '../config/diagnostics';

export const SYNC_STATE_PATH = join('.claude-pm', 'sync', 'github.json');

export interface IssueSyncState {
  ticket: string;
  /** The issue's `updated_at` when it and the ticket last agreed. */
  updatedAt: string;
  /** `viewHash` of the ticket right after that sync. */
  hash: string;
  /** Hashes of the ticket's notes GitHub has (pushed as comments or brought down from them). */
  notes: string[];
  /** Ids of the issue's comments already in the ticket or written from it. */
  comments: number[];
}

/** One page of the issue list as last answered: its ETag, its `next` link and what it held. */
export interface PageState {
  etag: string;
  next?: string;
  /** [number, updated_at, comment count] of each issue on the page (pull requests left out). */
  issues: [number, string, number][];
}

/** One page of an issue's comments as last answered. */
export interface CommentPageState {
  etag: string;
  next?: string;
}

export interface RepoSyncState {
  issues: Map<number, IssueSyncState>;
  pages: Map<string, PageState>;
  /** Comment list pages by URL: an unchanged page is not sent again. */
  commentPages: Map<string, CommentPageState>;
  /** Epic created for each milestone number. */
  milestones: Map<number, string>;
}

const issueState = z.object({ ticket: z.string(), updatedAt: z.string(), hash: z.string(), notes: z.array(z.string()), comments: z.array(z.number()) });
const pageState = z.object({ etag: z.string(), next: z.string().optional(), issues: z.array(z.tuple([z.number(), z.string(), z.number()])) });
const repoState = z.object({
  issues: z.array(z.tuple([z.number(), issueState])),
  pages: z.array(z.tuple([z.string(), pageState])),
  commentPages: z.array(z.tuple([z.string(), z.object({ etag: z.string(), next: z.string().optional() })])),
  milestones: z.array(z.tuple([z.number(), z.string()])),
});
// Entries as [key, value] pairs: a repository or URL named `__proto__` stays data after JSON.parse and back.
const fileSchema = z.object({ version: z.literal(1), repos: z.array(z.tuple([z.string(), repoState])) });

export function emptyRepoState(): RepoSyncState {
  return { issues: new Map(), pages: new Map(), commentPages: new Map(), milestones: new Map() };
}

export class SyncStateFile {
  private constructor(
    readonly path: string,
    private readonly repos: Map<string, RepoSyncState>,
  ) {}

  /** Reads the state of a workspace; a missing file is an empty state, a broken one an error naming file and line. */
  static async load(workspaceRoot: string): Promise<SyncStateFile> {
    const path = join(workspaceRoot, SYNC_STATE_PATH);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new SyncStateFile(path, new Map());
      throw error;
    }
    const advice = 'Fix it, or delete it: the next sync then finds its tickets by their github link and reports as a conflict any that differ from their issue.';
    const parsed = parseJsonText(text);
    if (!parsed.ok) throw new Error(`${path}:${parsed.line}:${parsed.column}: not valid JSON (${parsed.message}). ${advice}`);
    const result = fileSchema.safeParse(parsed.value);
    if (!result.success) throw new Error(`${path}: not a sync state this version reads (${result.error.issues[0]?.path.join('.') ?? ''}: ${result.error.issues[0]?.message ?? ''}). ${advice}`);
    const repos = new Map<string, RepoSyncState>();
    for (const [name, r] of result.data.repos) {
      repos.set(name, { issues: new Map(r.issues), pages: new Map(r.pages), commentPages: new Map(r.commentPages), milestones: new Map(r.milestones) });
    }
    return new SyncStateFile(path, repos);
  }

  repo(name: string): RepoSyncState {
    let state = this.repos.get(name);
    if (!state) this.repos.set(name, (state = emptyRepoState()));
    return state;
  }

  async save(): Promise<void> {
    const repos = [...this.repos].map(([name, r]) => [name, { issues: [...r.issues], pages: [...r.pages], commentPages: [...r.commentPages], milestones: [...r.milestones] }]);
    await writeJsonAtomic(this.path, { version: 1, repos });
  }
}

// The in-memory shape of an ai-trackdown ticket, shared by both on-disk formats (formats.md §3).

import type { FileDiagnostic } from '../config/diagnostics';
import { lookupTable } from '../common/ownKeys';

export const TICKET_TYPES = ['epic', 'issue', 'task', 'pr', 'bug', 'comment'] as const;
export type TicketType = (typeof TICKET_TYPES)[number];

/** `tools`: ai-trackdown-tools (TypeScript); `pytools`: ai-trackdown-pytools (Python). */
export type TicketFormat = 'tools' | 'pytools';

/** Statuses folded into a few groups, so off-enum values ("pending", "won't_do") still group and count. */
export const NORMALIZED_STATUSES = ['open', 'in_progress', 'review', 'blocked', 'done', 'cancelled', 'archived'] as const;
export type NormalizedStatus = (typeof NORMALIZED_STATUSES)[number];

export interface Ticket {
  id: string;
  type: TicketType;
  format: TicketFormat;
  title: string;
  description: string;
  /** The raw `status` value, as written. */
  status: string;
  /** The tools format's `state`, which wins over `status` when present. */
  state?: string;
  normalizedStatus: NormalizedStatus;
  priority: string;
  assignees: string[];
  tags: string[];
  epicId?: string;
  issueId?: string;
  /** The nearest parent: the issue of a task or PR, the epic of an issue, the task of a subtask. */
  parentId?: string;
  /** The frontmatter key that named the parent, and its line, for reports about the link. */
  parentKey?: string;
  parentLine?: number;
  /** Children the parent lists itself (`related_issues`, `related_tasks`, `child_issues`, `child_tasks`). */
  childIds: string[];
  createdAt?: string;
  updatedAt?: string;
  /** Absolute path of the file. */
  path: string;
  /** Path relative to the ticket root, with forward slashes. */
  relPath: string;
  /** `status` and `state` disagree on whether the ticket is finished; the state wins. */
  statusConflict?: { status: string; state: string };
  /** The file starts with a "TICKET CLOSED" banner above its frontmatter: archived whatever its status says. */
  archivedByBanner?: boolean;
}

/** A markdown file in the ticket tree without frontmatter (reports, READMEs): kept, not an error. */
export interface UnparsedDocument {
  path: string;
  relPath: string;
  /** The ticket ID the file name starts with, if any (`ISS-0154-refactor-….md`). */
  claimedId?: string;
  title?: string;
}

export type ParsedFile =
  | { kind: 'ticket'; ticket: Ticket; diagnostics: FileDiagnostic[] }
  | { kind: 'unparsed'; document: UnparsedDocument; diagnostics: FileDiagnostic[] }
  | { kind: 'malformed'; path: string; relPath: string; claimedId?: string; diagnostics: FileDiagnostic[] };

export const ID_PREFIXES = lookupTable<TicketType>({ EP: 'epic', ISS: 'issue', TSK: 'task', PR: 'pr', BUG: 'bug', CMT: 'comment', COMMENT: 'comment' });
export const TYPE_PREFIX: Record<Exclude<TicketType, 'comment'>, string> = { epic: 'EP', issue: 'ISS', task: 'TSK', pr: 'PR', bug: 'BUG' };

/** A ticket ID at the start of a file name or in text: a known prefix, a dash, then a number or a word. */
const CLAIMED_ID = /^((?:EP|ISS|TSK|PR|BUG|CMT|COMMENT)-[A-Z0-9]+(?:-[A-Z]*\d+)?)(?=$|[-_.\s])/;

export function idFromFileName(name: string): string | undefined {
  return CLAIMED_ID.exec(name)?.[1];
}

export function typeFromId(id: string): TicketType | undefined {
  return ID_PREFIXES[id.slice(0, id.indexOf('-'))];
}

/** Open means still to do: anything not done, cancelled or archived. */
export function isOpen(status: NormalizedStatus): boolean {
  return status !== 'done' && status !== 'cancelled' && status !== 'archived';
}

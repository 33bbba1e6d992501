// Status normalisation and the transition graphs of both formats (formats.md §3a "Enums", §3b "Status").

import type { NormalizedStatus, TicketFormat, TicketType } from './model';
import { lookupTable } from '../common/ownKeys';

const NORMALIZED = lookupTable<NormalizedStatus>({
  planning: 'open',
  open: 'open',
  todo: 'open',
  pending: 'open',
  ready: 'open',
  new: 'open',
  backlog: 'open',
  reopened: 'open',
  ready_for_engineering: 'open',
  draft: 'open',
  changes_requested: 'in_progress',
  active: 'in_progress',
  in_progress: 'in_progress',
  started: 'in_progress',
  doing: 'in_progress',
  review: 'review',
  in_review: 'review',
  testing: 'review',
  ready_for_qa: 'review',
  ready_for_deployment: 'review',
  ready_for_review: 'review',
  approved: 'review',
  blocked: 'blocked',
  on_hold: 'blocked',
  completed: 'done',
  complete: 'done',
  done: 'done',
  resolved: 'done',
  closed: 'done',
  merged: 'done',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  won_t_do: 'cancelled',
  wont_do: 'cancelled',
  rejected: 'cancelled',
  archived: 'archived',
});

/** Folds a raw status ("In-Progress", "won't_do", "complete") to its group; unknown values count as open. */
export function normalizeStatus(raw: string): NormalizedStatus {
  const key = raw
    .trim()
    .toLowerCase()
    .replace(/['’]/g, '_')
    .replace(/[\s-]+/g, '_');
  return NORMALIZED[key] ?? 'open';
}

const STATUS_WORDS = lookupTable<string>({ won_t_do: "Won't do", wont_do: "Won't do" });

/** A status as people write it: `ready_for_engineering` → "Ready for engineering", `won_t_do` → "Won't do". */
export function statusLabel(raw: string): string {
  const key = raw.trim().toLowerCase().replace(/[\s-]+/g, '_');
  const known = STATUS_WORDS[key];
  if (known) return known;
  const words = key.split('_').filter(Boolean).map((w) => (w === 'qa' ? 'QA' : w)).join(' ');
  return words ? words[0]!.toUpperCase() + words.slice(1) : raw;
}

/** The frontmatter keys that hold a status: the tools' `state` wins over `status`; a tools PR also has `pr_status`. */
export type StatusField = 'status' | 'state' | 'pr_status';

/** The values the format documents for this type and key. */
export function knownStatuses(format: TicketFormat, type: TicketType, key: StatusField = 'status'): readonly string[] {
  if (format === 'pytools') return pytoolsStatuses(type);
  return key === 'pr_status' ? TOOLS_PR_STATUSES : TOOLS_STATES;
}

/** Whether the raw value is one the format documents for this type and key (others are kept but reported). */
export function isKnownStatus(format: TicketFormat, type: TicketType, raw: string, key: StatusField = 'status'): boolean {
  return knownStatuses(format, type, key).includes(raw);
}

// ai-trackdown-tools' `pr_status`, which moves PR files between status folders.
const TOOLS_PR_STATUSES = ['draft', 'open', 'review', 'approved', 'merged', 'closed'];

// ai-trackdown-tools: status planning|active|completed|archived, `state` adds the resolution states.
const TOOLS_STATES = ['planning', 'active', 'completed', 'archived', 'ready_for_engineering', 'ready_for_qa', 'ready_for_deployment', 'won_t_do', 'done'];

// The documented flow: → ready_for_engineering → ready_for_qa → ready_for_deployment → done → archived;
// won_t_do is reachable from any state and leads to archived.
const TOOLS_GRAPH = lookupTable<string[]>({
  planning: ['active', 'ready_for_engineering', 'won_t_do'],
  active: ['ready_for_engineering', 'ready_for_qa', 'completed', 'won_t_do'],
  ready_for_engineering: ['active', 'ready_for_qa', 'won_t_do'],
  ready_for_qa: ['ready_for_deployment', 'won_t_do'],
  ready_for_deployment: ['done', 'won_t_do'],
  done: ['archived'],
  completed: ['archived'],
  won_t_do: ['archived'],
  archived: [],
});

const PYTOOLS_TASK_GRAPH = lookupTable<string[]>({
  open: ['in_progress', 'blocked', 'cancelled'],
  in_progress: ['completed', 'blocked', 'open', 'cancelled'],
  blocked: ['open', 'in_progress', 'cancelled'],
  completed: ['open'],
  cancelled: ['open'],
});

const PYTOOLS_ISSUE_GRAPH = lookupTable<string[]>({
  ...PYTOOLS_TASK_GRAPH,
  in_progress: ['testing', 'completed', 'blocked', 'open', 'cancelled'],
  testing: ['completed', 'in_progress', 'blocked'],
});

const PYTOOLS_EPIC_GRAPH = lookupTable<string[]>({
  planning: ['in_progress', 'on_hold', 'cancelled'],
  in_progress: ['on_hold', 'completed', 'cancelled'],
  on_hold: ['in_progress', 'cancelled'],
  completed: [],
  cancelled: ['planning'],
});

// Bugs close as well as complete (ai-trackdown-pytools' BugStatus).
const PYTOOLS_BUG_GRAPH: Record<string, string[]> = {
  ...PYTOOLS_ISSUE_GRAPH,
  testing: ['completed', 'closed', 'in_progress', 'blocked'],
  completed: ['open', 'closed'],
  closed: ['open'],
};

// ai-trackdown-pytools' PRStatus: draft → ready_for_review → in_review → approved → merged, or closed on the way.
const PYTOOLS_PR_GRAPH: Record<string, string[]> = {
  draft: ['ready_for_review', 'closed'],
  ready_for_review: ['in_review', 'draft', 'closed'],
  in_review: ['changes_requested', 'approved', 'closed'],
  changes_requested: ['ready_for_review', 'in_review', 'closed'],
  approved: ['merged', 'changes_requested', 'closed'],
  merged: [],
  closed: ['draft'],
};

function pytoolsGraph(type: TicketType): Record<string, string[]> {
  if (type === 'epic') return PYTOOLS_EPIC_GRAPH;
  if (type === 'pr') return PYTOOLS_PR_GRAPH;
  if (type === 'bug') return PYTOOLS_BUG_GRAPH;
  return type === 'issue' ? PYTOOLS_ISSUE_GRAPH : PYTOOLS_TASK_GRAPH;
}

function pytoolsStatuses(type: TicketType): string[] {
  return Object.keys(pytoolsGraph(type));
}

// Where an off-enum status sits in a graph, by its group.
const TOOLS_ANCHOR: Record<NormalizedStatus, string> = {
  open: 'planning',
  in_progress: 'active',
  review: 'ready_for_qa',
  blocked: 'active',
  done: 'done',
  cancelled: 'won_t_do',
  archived: 'archived',
};
const PYTOOLS_ANCHOR: Record<NormalizedStatus, string> = {
  open: 'open',
  in_progress: 'in_progress',
  review: 'testing',
  blocked: 'blocked',
  done: 'completed',
  cancelled: 'cancelled',
  archived: 'completed',
};

const PYTOOLS_PR_ANCHOR: Record<NormalizedStatus, string> = {
  open: 'draft',
  in_progress: 'ready_for_review',
  review: 'in_review',
  blocked: 'changes_requested',
  done: 'merged',
  cancelled: 'closed',
  archived: 'closed',
};

/** The states a ticket may move to next from its current (possibly off-enum) status. */
export function allowedTransitions(format: TicketFormat, type: TicketType, current: string): string[] {
  const graph = format === 'tools' ? TOOLS_GRAPH : pytoolsGraph(type);
  if (graph[current]) return graph[current];
  const group = normalizeStatus(current);
  const anchor = format === 'tools' ? TOOLS_ANCHOR[group] : type === 'epic' ? epicAnchor(group) : type === 'pr' ? PYTOOLS_PR_ANCHOR[group] : PYTOOLS_ANCHOR[group];
  return (graph[anchor] ?? []).filter((s) => s !== current);
}

function epicAnchor(group: NormalizedStatus): string {
  if (group === 'open') return 'planning';
  if (group === 'blocked') return 'on_hold';
  return PYTOOLS_ANCHOR[group] === 'testing' ? 'in_progress' : PYTOOLS_ANCHOR[group];
}

/** The tools format's legacy `status` for a `state` value (status only knows planning|active|completed|archived). */
export function legacyToolsStatus(state: string): string {
  if (state === 'done' || state === 'completed') return 'completed';
  if (state === 'won_t_do' || state === 'archived') return 'archived';
  if (state === 'planning') return 'planning';
  return 'active';
}

/** Raised for a transition the graph does not allow; the message lists the allowed next states. */
export class IllegalTransitionError extends Error {
  constructor(
    readonly ticketId: string,
    readonly from: string,
    readonly to: string,
    readonly allowed: string[],
  ) {
    super(`${ticketId} cannot go from '${from}' to '${to}'. Allowed next states: ${allowed.length ? allowed.join(', ') : '(none: final state)'}.`);
    this.name = 'IllegalTransitionError';
  }
}

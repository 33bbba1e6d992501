// Ticket operations on one ticket root: create, update, transition, complete, note, archive, init.
// Every write reads the file fresh, edits only the keys concerned, writes atomically and updates the index.

import { mkdir, readFile, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { writeFileAtomic, writeJsonAtomic } from '../common/atomicFile';
import { findFrontmatter } from './frontmatter';
import { isOpen, TYPE_PREFIX, type Ticket, type TicketFormat } from './model';
import { formatId, newTicketPath, renderNewTicket, type CreatableType } from './newTicket';
import { TreeScans } from './candidates';
import { COUNTERS_JSON, CONFIG_YAML, pathExists, resolveTicketRoot, TRACKDOWN_DIR, type ResolveRootOptions, type TicketRoot } from './root';
import { countersSchema, type Counters } from './schema';
import { allowedTransitions, IllegalTransitionError, legacyToolsStatus } from './status';
import { TicketIndex } from './ticketIndex';
import { appendSection, editFrontmatter, type FieldChanges } from './writer';

export class TicketNotFoundError extends Error {
  constructor(readonly ticketId: string) {
    super(`no ticket ${ticketId} in this tracker`);
    this.name = 'TicketNotFoundError';
  }
}

export interface CreateTicketInput {
  type: CreatableType;
  title: string;
  description?: string;
  priority?: string;
  assignee?: string;
  tags?: string[];
  epicId?: string;
  issueId?: string;
  /** More frontmatter for the new file (a link to where the ticket came from); a key the format already writes takes this value. */
  fields?: FieldChanges;
}

export interface UpdateTicketInput {
  title?: string;
  description?: string;
  priority?: string;
  assignee?: string;
  tags?: string[];
}

export const PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;

// The tools' `state` values that `status` cannot hold.
const STATE_ONLY = new Set(['ready_for_engineering', 'ready_for_qa', 'ready_for_deployment', 'won_t_do', 'done']);

export interface TrackerOptions {
  /** Who makes the changes: recorded in `state_metadata.transitioned_by` and pytools comments. */
  actor?: string;
  /** Where parse results are cached between runs (see `ticketCacheDir`); none: every file is read. */
  cacheDir?: string;
  now?: () => Date;
}

export class TicketTracker {
  private readonly now: () => Date;
  private readonly actor: string;

  constructor(
    readonly location: TicketRoot,
    readonly index: TicketIndex,
    options: TrackerOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.actor = options.actor ?? 'claude-pm';
  }

  /** Resolves the root of a workspace and indexes it. */
  static async open(workspaceRoot: string, options: ResolveRootOptions & TrackerOptions = {}): Promise<TicketTracker> {
    const scans = new TreeScans(options.cacheDir);
    const location = await resolveTicketRoot(workspaceRoot, { ...options, scans });
    const index = location.exists ? TicketIndex.fromFiles(location.root, await scans.scan(location.root)) : new TicketIndex(location.root);
    return new TicketTracker(location, index, options);
  }

  require(id: string): Ticket {
    const ticket = this.index.get(id);
    if (!ticket) throw new TicketNotFoundError(id);
    return ticket;
  }

  /** The format new tickets get: that of the tree's tickets, else the config's. */
  format(): TicketFormat {
    return this.index.dominantFormat() ?? this.location.configFormat;
  }

  async create(input: CreateTicketInput): Promise<Ticket> {
    if (this.location.escapesWorkspace) throw new Error(`${this.location.root} links out of the workspace: no ticket is written through it`);
    const title = input.title.trim();
    if (!title) throw new Error('a ticket needs a title');
    const format = this.format();
    const epic = input.epicId ? this.require(input.epicId) : undefined;
    if (epic && epic.type !== 'epic') throw new Error(`${epic.id} is a ${epic.type}, not an epic`);
    const issue = input.issueId ? this.require(input.issueId) : undefined;
    if (issue && issue.type !== 'issue' && issue.type !== 'bug') throw new Error(`${issue.id} is a ${issue.type}, not an issue`);
    if ((input.type === 'task' || input.type === 'pr') && !issue && format === 'tools') throw new Error(`a ${input.type} belongs to an issue: pass its ID (--issue ISS-0001)`);
    if (input.type === 'epic' && (issue || epic)) throw new Error('an epic has no parent');
    const priority = input.priority ?? 'medium';
    if (!(PRIORITIES as readonly string[]).includes(priority)) throw new Error(`priority must be one of ${PRIORITIES.join(', ')}`);

    const prefix = TYPE_PREFIX[input.type];
    const counters = format === 'tools' ? await this.readCounters() : {};
    const n = Math.max(counters[input.type] ?? 1, this.index.highestNumber(prefix) + 1);
    const id = formatId(prefix, n);
    const epicId = epic?.id ?? issue?.epicId;
    const path = newTicketPath(this.location.root, this.location.structure, format, input.type, id, title);
    const text = renderNewTicket(format, {
      id,
      type: input.type,
      title,
      description: input.description?.trim() ?? '',
      priority,
      assignee: input.assignee ?? this.location.defaultAssignee,
      tags: input.tags ?? [],
      epicId,
      issueId: issue?.id,
      parentId: issue?.id ?? epic?.id,
      now: this.now(),
    });
    const withFields = input.fields ? editFrontmatter(text, input.fields, { sortedKeys: format === 'pytools' }) : text;
    await writeFileAtomic(path, withFields);
    this.index.setFileText(path, withFields);
    if (format === 'tools') await writeJsonAtomic(this.location.countersPath, { ...counters, [input.type]: n + 1 });
    const parent = issue ?? epic;
    if (parent) await this.linkChild(parent, id);
    return this.require(id);
  }

  /** Appends the child to the parent's own list (`related_issues`, `related_tasks`, or pytools `child_*`). */
  private async linkChild(parent: Ticket, childId: string): Promise<void> {
    const key = parent.format === 'tools' ? (parent.type === 'epic' ? 'related_issues' : 'related_tasks') : parent.type === 'epic' ? 'child_issues' : 'child_tasks';
    await this.edit(parent, (text, data) => {
      const current = Array.isArray(data[key]) ? (data[key] as unknown[]) : [];
      if (current.includes(childId)) return text;
      return editFrontmatter(text, { [key]: [...current, childId], ...this.touch(parent.format) }, { sortedKeys: parent.format === 'pytools' });
    });
  }

  async update(id: string, input: UpdateTicketInput): Promise<Ticket> {
    const ticket = this.require(id);
    if (input.priority !== undefined && !(PRIORITIES as readonly string[]).includes(input.priority)) throw new Error(`priority must be one of ${PRIORITIES.join(', ')}`);
    const changes: FieldChanges = {};
    if (input.title !== undefined) changes.title = input.title;
    if (input.description !== undefined) changes.description = input.description;
    if (input.priority !== undefined) changes.priority = input.priority;
    if (input.tags !== undefined) changes.tags = input.tags;
    if (input.assignee !== undefined) {
      if (ticket.format === 'tools') changes.assignee = input.assignee;
      else changes.assignees = input.assignee ? [input.assignee] : [];
    }
    return this.applyChanges(ticket, changes);
  }

  /** The states `id` may move to next. */
  nextStates(id: string): string[] {
    const t = this.require(id);
    return allowedTransitions(t.format, t.type, t.state ?? t.status);
  }

  /** Moves a ticket along its format's transition graph; an illegal move is refused with the allowed states. */
  async transition(id: string, to: string, options: { reason?: string } = {}): Promise<Ticket> {
    const ticket = this.require(id);
    const current = ticket.state ?? ticket.status;
    const allowed = allowedTransitions(ticket.format, ticket.type, current);
    if (!allowed.includes(to)) throw new IllegalTransitionError(id, current, to, allowed);
    return this.setState(ticket, to, options.reason, 'State Change');
  }

  /**
   * Sets a ticket's state whatever the transition graph says: for a change already made elsewhere (an issue
   * closed or reopened on GitHub), which the ticket follows rather than decides.
   */
  async setStatus(id: string, to: string, reason?: string): Promise<Ticket> {
    return this.setState(this.require(id), to, reason, 'State Change');
  }

  /** Rewrites a ticket's file text in one atomic write (frontmatter edits and appended sections together); the update date is set. */
  async editText(id: string, change: (text: string) => string): Promise<Ticket> {
    const ticket = this.require(id);
    return this.edit(ticket, (text) => {
      const next = change(text);
      return next === text ? text : editFrontmatter(next, this.touch(ticket.format), { sortedKeys: ticket.format === 'pytools' });
    });
  }

  /** Completes a ticket from any open state; with `cascade`, its open descendants too. Returns every ticket changed. */
  async complete(id: string, options: { cascade?: boolean; notes?: string } = {}, visited = new Set<string>()): Promise<Ticket[]> {
    const ticket = this.require(id);
    const changed: Ticket[] = [];
    visited.add(id);
    if (options.cascade) {
      // `visited` guards against parent/child cycles in hand-edited files.
      for (const child of this.index.children(id)) if (!visited.has(child.id)) changed.push(...(await this.complete(child.id, { cascade: true }, visited)));
    }
    if (isOpen(ticket.normalizedStatus)) {
      const target = ticket.format === 'tools' && ticket.state !== undefined ? 'done' : 'completed';
      changed.push(await this.setState(ticket, target, options.notes, 'Completion'));
    }
    return changed;
  }

  /** Appends a `## Note:` block (tools) or a `### Comment by` entry under `## Comments` (pytools). */
  async addNote(id: string, note: string, author = this.actor): Promise<Ticket> {
    const ticket = this.require(id);
    const body = note.trim();
    if (!body) throw new Error('the note is empty');
    const now = this.now();
    return this.edit(ticket, (text) => {
      const touched = editFrontmatter(text, this.touch(ticket.format), { sortedKeys: ticket.format === 'pytools' });
      if (ticket.format === 'tools') return appendSection(touched, `## Note: ${now.toISOString()}\n${body}`);
      const stamp = now.toISOString().replace('T', ' ').slice(0, 19);
      const comment = `### Comment by ${author} - ${stamp}\n${body}`;
      return appendSection(touched, /^## Comments[ \t]*\r?$/m.test(touched) ? comment : `## Comments\n\n${comment}`);
    });
  }

  /** Archives a ticket: moves it to an `archive/` folder beside it (tools: status `archived` as well). */
  async archive(id: string): Promise<Ticket> {
    const ticket = this.require(id);
    if (ticket.format === 'tools') await this.applyChanges(ticket, { status: 'archived', ...(ticket.state !== undefined ? { state: 'archived' } : {}) });
    if (basename(dirname(ticket.path)) === 'archive') return this.require(id);
    const target = join(dirname(ticket.path), 'archive', basename(ticket.path));
    await mkdir(dirname(target), { recursive: true });
    await rename(ticket.path, target);
    this.index.remove(ticket.path);
    this.index.refreshFile(target);
    return this.require(id);
  }

  private async setState(ticket: Ticket, to: string, reason: string | undefined, heading: 'State Change' | 'Completion'): Promise<Ticket> {
    const now = this.now();
    const changes: FieldChanges = { ...this.touch(ticket.format) };
    if (ticket.format === 'pytools') changes.status = to;
    else {
      const current = ticket.state ?? ticket.status;
      changes.status = STATE_ONLY.has(to) ? legacyToolsStatus(to) : to;
      if (ticket.state !== undefined || STATE_ONLY.has(to)) {
        changes.state = to;
        changes.state_metadata = { transitioned_at: now.toISOString(), transitioned_by: this.actor, previous_state: current, automation_eligible: false, ...(reason ? { transition_reason: reason } : {}) };
      }
    }
    return this.edit(ticket, (text, data) => {
      if (changes.state_metadata && data.state_metadata && typeof data.state_metadata === 'object') changes.state_metadata = { ...(data.state_metadata as object), ...(changes.state_metadata as object) };
      if (heading === 'Completion' && typeof data.completion_percentage === 'number') changes.completion_percentage = 100;
      const edited = editFrontmatter(text, changes, { sortedKeys: ticket.format === 'pytools' });
      if (ticket.format === 'pytools' || (!reason && heading === 'State Change')) return edited;
      const lines = heading === 'State Change' ? [`**Reason**: ${reason}`, `**New Status**: ${to}`] : [`**Status**: ${to}`, ...(reason ? [`**Notes**: ${reason}`] : [])];
      return appendSection(edited, `## ${heading}: ${now.toISOString()}\n${lines.join('\n')}`);
    });
  }

  private applyChanges(ticket: Ticket, changes: FieldChanges): Promise<Ticket> {
    return this.edit(ticket, (text) => editFrontmatter(text, { ...changes, ...this.touch(ticket.format) }, { sortedKeys: ticket.format === 'pytools' }));
  }

  private touch(format: TicketFormat): FieldChanges {
    const at = this.now().toISOString();
    return format === 'tools' ? { updated_date: at } : { updated_at: at.replace('Z', '000') };
  }

  /** Reads the file as it is now, applies `change`, writes it atomically and re-indexes it. */
  private async edit(ticket: Ticket, change: (text: string, data: Record<string, unknown>) => string): Promise<Ticket> {
    const text = await readFile(ticket.path, 'utf8');
    const parsed = this.index.setFileText(ticket.path, text);
    if (parsed.kind !== 'ticket') throw new Error(`${ticket.relPath} is no longer a readable ticket: ${parsed.diagnostics[0]?.message ?? 'unknown problem'}`);
    const next = change(text, frontmatterData(text));
    if (next !== text) {
      await writeFileAtomic(ticket.path, next);
      this.index.setFileText(ticket.path, next);
    }
    return this.require(ticket.id);
  }

  private async readCounters(): Promise<Counters> {
    let text: string;
    try {
      text = await readFile(this.location.countersPath, 'utf8');
    } catch {
      return {};
    }
    try {
      return countersSchema().parse(JSON.parse(text));
    } catch (error) {
      throw new Error(`${this.location.countersPath} is not valid ({"epic": 1, "issue": 1, ...} expected): ${(error as Error).message.split('\n')[0]}. Fix or delete it.`, { cause: error });
    }
  }
}

function frontmatterData(text: string): Record<string, unknown> {
  const block = findFrontmatter(text);
  if (block.kind !== 'found') return {};
  try {
    const data: unknown = parse(text.slice(block.yamlStart, block.yamlEnd), { maxAliasCount: 50 });
    return data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Creates `.ai-trackdown/config.yaml` (when absent), `counters.json` and the type folders: what `aitrackdown init` does. */
export async function initTracker(workspaceRoot: string, options: { name?: string; tasksDirectory?: string; assignee?: string } = {}): Promise<{ created: string[] }> {
  const created: string[] = [];
  const configPath = join(workspaceRoot, TRACKDOWN_DIR, CONFIG_YAML);
  const existing = await resolveTicketRoot(workspaceRoot, { root: options.tasksDirectory, discover: 'never' });
  if (!existing.configPath) {
    const config = {
      name: options.name ?? basename(workspaceRoot),
      description: 'Tickets tracked with ai-trackdown',
      version: '1.0.0',
      tasks_directory: options.tasksDirectory ?? 'tasks',
      structure: { epics_dir: 'epics', issues_dir: 'issues', tasks_dir: 'tasks', templates_dir: 'templates', prs_dir: 'prs' },
      naming_conventions: { epic_prefix: 'EP', issue_prefix: 'ISS', task_prefix: 'TSK', pr_prefix: 'PR', file_extension: '.md' },
      default_assignee: options.assignee ?? 'unassigned',
    };
    await writeFileAtomic(configPath, stringify(config, { lineWidth: 120 }));
    created.push(configPath);
  }
  const location = await resolveTicketRoot(workspaceRoot, { root: options.tasksDirectory, discover: 'never' });
  if (location.escapesWorkspace) throw new Error(`${location.root} links out of the workspace: no ticket folder is created through it`);
  const countersPath = join(workspaceRoot, TRACKDOWN_DIR, COUNTERS_JSON);
  if (location.configFormat === 'tools' && !(await pathExists(countersPath))) {
    await writeJsonAtomic(countersPath, { epic: 1, issue: 1, task: 1, pr: 1 });
    created.push(countersPath);
  }
  for (const folder of [location.structure.epics, location.structure.issues, location.structure.tasks, location.structure.prs]) {
    const dir = join(location.root, folder);
    if (!(await pathExists(dir))) {
      await mkdir(dir, { recursive: true });
      created.push(dir);
    }
  }
  return { created };
}


import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { countOf } from '../../core/common/plural';
import { formatDiagnostic, type FileDiagnostic } from '../../core/config/diagnostics';
import type { Ticket, TicketType } from '../../core/tickets/model';
import { TICKET_TYPES } from '../../core/tickets/model';
import { isCreatable } from '../../core/tickets/newTicket';
import { ticketCacheDir } from '../../core/tickets/parseCache';
import { findTicketWorkspace, type TicketRoot } from '../../core/tickets/root';
import { initTracker, TicketTracker } from '../../core/tickets/tracker';
import { ticketBody } from '../../core/tickets/writer';
import { requireArg, UsageError, type CliHandlers, type CliContext } from '../framework';

/**
 * Opens the tracker of the workspace around the current directory (run from inside `tickets/issues`, it still sees
 * the whole tree). Says once what the user should know about the root: a configured folder that is missing, or
 * another folder that holds more tickets. `validate` and `roots` report those themselves (`quiet`).
 */
export async function openTracker(ctx: CliContext, values: Record<string, unknown>, options: { quiet?: boolean; discover?: 'always' } = {}): Promise<TicketTracker> {
  const root = typeof values.root === 'string' ? resolve(ctx.dir, values.root) : undefined;
  const workspace = await findTicketWorkspace(ctx.dir);
  const tracker = await TicketTracker.open(workspace, { root, env: ctx.env, actor: ctx.env.USER || ctx.env.USERNAME || 'claude-pm', cacheDir: ticketCacheDir(ctx.env), discover: options.discover });
  if (!options.quiet) {
    for (const d of tracker.location.diagnostics) if (d.severity === 'error') ctx.logger.warn(formatDiagnostic(d));
    if (tracker.location.notice) ctx.logger.warn(tracker.location.notice);
  }
  return tracker;
}

function option(values: Record<string, unknown>, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The JSON shape of `tickets list`: stable snake_case keys, paths relative to the ticket root. */
function ticketJson(t: Ticket) {
  return {
    id: t.id,
    type: t.type,
    title: t.title,
    status: t.state ?? t.status,
    normalized_status: t.normalizedStatus,
    priority: t.priority,
    assignee: t.assignees[0] ?? null,
    epic_id: t.epicId ?? null,
    issue_id: t.issueId ?? null,
    parent_id: t.parentId ?? null,
    path: t.relPath,
    format: t.format,
  };
}

function ticketLine(t: Ticket): string {
  return `${t.id.padEnd(10)} ${t.type.padEnd(6)} ${(t.state ?? t.status).padEnd(22)} ${t.priority.padEnd(9)} ${t.title}`;
}

function changedText(verb: string, tickets: Ticket[]): string {
  return tickets.map((t) => `${verb} ${t.id} (${t.state ?? t.status}): ${t.relPath}`).join('\n');
}

export const ticketsHandlers = {
  ticketsList: async (ctx, values) => {
    const type = option(values, 'type');
    if (type && !(TICKET_TYPES as readonly string[]).includes(type)) throw new UsageError(`--type must be one of ${TICKET_TYPES.join(', ')}`);
    const tracker = await openTracker(ctx, values);
    if (!tracker.location.exists && !tracker.location.configuredRootMissing) ctx.logger.warn(`no ticket root at ${tracker.location.root}; run 'claude-pm tickets init'`);
    const tickets = tracker.index.query({
      type: type as TicketType | undefined,
      status: option(values, 'status'),
      priority: option(values, 'priority'),
      assignee: option(values, 'assignee'),
      tag: option(values, 'tag'),
      epic: option(values, 'epic'),
    });
    ctx.print(tickets.map(ticketJson), () => (tickets.length ? tickets.map(ticketLine).join('\n') : 'no tickets match'));
    return 0;
  },
  ticketsShow: async (ctx, values, positionals) => {
    const tracker = await openTracker(ctx, values);
    const ticket = tracker.require(requireArg(positionals, 0, 'ID'));
    const body = ticketBody(await readFile(ticket.path, 'utf8'));
    const children = tracker.index.children(ticket.id).map((c) => c.id);
    ctx.print({ ...ticketJson(ticket), description: ticket.description, tags: ticket.tags, assignees: ticket.assignees, children, created: ticket.createdAt ?? null, updated: ticket.updatedAt ?? null, body }, () => {
      const header = [
        `${ticket.id}: ${ticket.title}`,
        `type ${ticket.type} · status ${ticket.state ?? ticket.status} (${ticket.normalizedStatus}) · priority ${ticket.priority} · ${ticket.assignees.join(', ') || 'unassigned'}`,
        ...(ticket.parentId ? [`parent ${ticket.parentId}`] : []),
        ...(children.length ? [`children ${children.join(', ')}`] : []),
        `file ${ticket.path}`,
      ];
      return `${header.join('\n')}\n\n${body.trim()}`;
    });
    return 0;
  },
  ticketsCreate: async (ctx, values, positionals) => {
    const type = requireArg(positionals, 0, 'TYPE');
    if (!isCreatable(type)) throw new UsageError(`TYPE must be epic, issue, task, pr or bug, not '${type}'`);
    const title = positionals.slice(1).join(' ');
    if (!title.trim()) throw new UsageError('missing TITLE');
    const tracker = await openTracker(ctx, values);
    const ticket = await tracker.create({
      type,
      title,
      description: option(values, 'description'),
      priority: option(values, 'priority'),
      assignee: option(values, 'assignee'),
      tags: Array.isArray(values.tag) ? values.tag.map(String) : undefined,
      epicId: option(values, 'epic'),
      issueId: option(values, 'issue'),
    });
    ctx.print(ticketJson(ticket), changedText('created', [ticket]));
    return 0;
  },
  ticketsTransition: async (ctx, values, positionals) => {
    const id = requireArg(positionals, 0, 'ID');
    const state = requireArg(positionals, 1, 'STATE');
    const tracker = await openTracker(ctx, values);
    const ticket = await tracker.transition(id, state, { reason: option(values, 'reason') });
    ctx.print(ticketJson(ticket), changedText('moved', [ticket]));
    return 0;
  },
  ticketsComplete: async (ctx, values, positionals) => {
    const tracker = await openTracker(ctx, values);
    const changed = await tracker.complete(requireArg(positionals, 0, 'ID'), { cascade: values.cascade === true, notes: option(values, 'notes') });
    ctx.print(changed.map(ticketJson), () => (changed.length ? changedText('completed', changed) : 'already completed: nothing changed'));
    return 0;
  },
  ticketsUpdate: async (ctx, values, positionals) => {
    const id = requireArg(positionals, 0, 'ID');
    const input = {
      title: option(values, 'title'),
      description: typeof values.description === 'string' ? values.description : undefined,
      priority: option(values, 'priority'),
      assignee: typeof values.assignee === 'string' ? values.assignee : undefined,
      tags: Array.isArray(values.tag) ? values.tag.map(String) : undefined,
    };
    if (Object.values(input).every((v) => v === undefined)) throw new UsageError('nothing to change: pass --title, --description, --priority, --assignee or --tag');
    const tracker = await openTracker(ctx, values);
    const ticket = await tracker.update(id, input);
    ctx.print(ticketJson(ticket), changedText('updated', [ticket]));
    return 0;
  },
  ticketsArchive: async (ctx, values, positionals) => {
    const tracker = await openTracker(ctx, values);
    const ticket = await tracker.archive(requireArg(positionals, 0, 'ID'));
    ctx.print(ticketJson(ticket), changedText('archived', [ticket]));
    return 0;
  },
  ticketsNote: async (ctx, values, positionals) => {
    const id = requireArg(positionals, 0, 'ID');
    const text = positionals.slice(1).join(' ');
    if (!text.trim()) throw new UsageError('missing TEXT');
    const tracker = await openTracker(ctx, values);
    const ticket = await tracker.addNote(id, text);
    ctx.print(ticketJson(ticket), `noted on ${ticket.id}: ${ticket.relPath}`);
    return 0;
  },
  ticketsInit: async (ctx, values) => {
    const result = await initTracker(ctx.cwd, { name: option(values, 'name'), tasksDirectory: option(values, 'tasks-dir'), assignee: option(values, 'assignee') });
    ctx.print(result, () => (result.created.length ? `created:\n${result.created.map((p) => `  ${p}`).join('\n')}` : 'already initialised: nothing to do'));
    return 0;
  },
  ticketsValidate: async (ctx, values) => {
    const tracker = await openTracker(ctx, values, { quiet: true });
    const { location } = tracker;
    const notices = location.notice ? [{ file: location.root, message: location.notice, severity: 'warning' as const }] : [];
    const diagnostics = [...location.diagnostics, ...notices, ...tracker.index.diagnostics()];
    const tally = countBySeverity(diagnostics);
    ctx.print({ root: location.root, errors: tally.error, warnings: tally.warning, information: tally.info, diagnostics }, () =>
      [...diagnostics.map((d) => `${d.severity}: ${formatDiagnostic(d)}`), `${countOf(tally.error, 'error')}, ${countOf(tally.warning, 'warning')}, ${tally.info} for information in ${location.root}`].join('\n'),
    );
    return tally.error ? 1 : 0;
  },
  status: async (ctx, values) => {
    const tracker = await openTracker(ctx, values);
    const counts = tracker.index.counts();
    const stats = { root: tracker.location.root, format: tracker.format(), ...counts };
    ctx.print(stats, () => {
      const rows = (title: string, record: Record<string, number>) => [title, ...Object.entries(record).filter(([, n]) => n > 0).map(([k, n]) => `  ${k.padEnd(24)} ${n}`)];
      return [
        `Tickets in ${tracker.location.root}: ${counts.total} (${counts.open} open)`,
        ...rows('By type:', counts.byType),
        ...rows('By status:', counts.byStatus),
        ...(values.stats ? rows('By group:', counts.byNormalizedStatus) : []),
        ...(counts.unparsed || counts.malformed || counts.duplicateIds ? [`Other: ${counts.unparsed} documents without frontmatter, ${counts.malformed} malformed files, ${counts.duplicateIds} duplicated IDs`] : []),
      ].join('\n');
    });
    return tracker.location.configuredRootMissing ? 1 : 0;
  },
  ticketsRoots: async (ctx, values) => {
    const { location } = await openTracker(ctx, values, { quiet: true, discover: 'always' });
    const rows = location.candidates.map((c) => ({ path: c.relPath, absolute_path: c.root, tickets: c.tickets, in_use: c.root === location.root }));
    ctx.print({ root: location.root, source: location.source, configured_root_missing: location.configuredRootMissing, candidates: rows }, () =>
      [
        ...rows.map((r) => `${r.in_use ? '*' : ' '} ${r.path.padEnd(32)} ${countOf(r.tickets, 'ticket')}`),
        `in use: ${location.root} (${ROOT_SOURCES[location.source]})`,
        ...location.diagnostics.filter((d) => d.severity === 'error').map((d) => `error: ${formatDiagnostic(d)}`),
      ].join('\n'),
    );
    return 0;
  },
} satisfies CliHandlers;

const ROOT_SOURCES: Record<TicketRoot['source'], string> = {
  flag: 'named by --root',
  env: 'named by AITRACKDOWN_TASKS_DIR or AITRACKDOWN_ROOT_DIR',
  config: 'named by .ai-trackdown/config.yaml',
  legacy: 'named by .aitrackdown.json',
  default: 'the default folder',
  discovered: 'the folder holding the most tickets',
};

function countBySeverity(diagnostics: readonly FileDiagnostic[]): Record<FileDiagnostic['severity'], number> {
  const tally = { error: 0, warning: 0, info: 0 };
  for (const d of diagnostics) tally[d.severity]++;
  return tally;
}

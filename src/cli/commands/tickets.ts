import { lazyCommands } from '../lazyCommands';

const ROOT_OPTION = { root: { type: 'string' } } as const;

/** Declarations only: the handlers in ../handlers/tickets load when one of these commands runs. */
export const ticketsCommands = lazyCommands(() => import('../handlers/tickets').then((m) => m.ticketsHandlers), {
  ticketsList: {
    path: ['tickets', 'list'],
    summary: 'List ai-trackdown tickets, filtered by type, status (raw or open/in_progress/review/blocked/done/cancelled/archived), priority, assignee, tag or epic',
    options: { ...ROOT_OPTION, type: { type: 'string' }, status: { type: 'string' }, priority: { type: 'string' }, assignee: { type: 'string' }, tag: { type: 'string' }, epic: { type: 'string' } },
  },
  ticketsShow: {
    path: ['tickets', 'show'],
    summary: 'Show one ticket: its fields and its markdown body',
    args: 'ID',
    options: ROOT_OPTION,
  },
  ticketsCreate: {
    path: ['tickets', 'create'],
    summary: 'Create an epic, issue, task, pr or bug in the format of the tree, linked to its parent on both sides',
    args: 'TYPE TITLE',
    permission: 'ticket.write',
    options: { ...ROOT_OPTION, epic: { type: 'string' }, issue: { type: 'string' }, priority: { type: 'string' }, description: { type: 'string' }, assignee: { type: 'string' }, tag: { type: 'string', multiple: true } },
  },
  ticketsTransition: {
    path: ['tickets', 'transition'],
    summary: 'Move a ticket to its next state; an illegal move is refused with the allowed states',
    args: 'ID STATE',
    permission: 'ticket.write',
    options: { ...ROOT_OPTION, reason: { type: 'string' } },
  },
  ticketsComplete: {
    path: ['tickets', 'complete'],
    summary: 'Complete a ticket (with --cascade, its open children too)',
    args: 'ID',
    permission: 'ticket.write',
    options: { ...ROOT_OPTION, cascade: { type: 'boolean' }, notes: { type: 'string' } },
  },
  ticketsUpdate: {
    path: ['tickets', 'update'],
    summary: 'Change a ticket\'s title, description, priority, assignee or tags; everything else in the file stays as it is',
    args: 'ID',
    permission: 'ticket.write',
    options: { ...ROOT_OPTION, title: { type: 'string' }, description: { type: 'string' }, priority: { type: 'string' }, assignee: { type: 'string' }, tag: { type: 'string', multiple: true } },
  },
  ticketsArchive: {
    path: ['tickets', 'archive'],
    summary: 'Archive a ticket: move it into an archive/ folder beside it (tools format: status archived too)',
    args: 'ID',
    permission: 'ticket.write',
    options: ROOT_OPTION,
  },
  ticketsNote: {
    path: ['tickets', 'note'],
    summary: 'Append a note (tools format) or a comment (pytools format) to a ticket',
    args: 'ID TEXT',
    permission: 'ticket.write',
    options: ROOT_OPTION,
  },
  ticketsInit: {
    path: ['tickets', 'init'],
    summary: 'Initialise an ai-trackdown tracker: .ai-trackdown/config.yaml, counters.json and the ticket folders',
    permission: 'ticket.write',
    options: { name: { type: 'string' }, 'tasks-dir': { type: 'string' }, assignee: { type: 'string' } },
  },
  ticketsValidate: {
    path: ['tickets', 'validate'],
    summary: 'Report malformed ticket files, off-enum statuses, conflicting fields, impossible links, duplicate IDs and a missing ticket root (exit 1 on any error)',
    options: ROOT_OPTION,
  },
  status: {
    path: ['status'],
    summary: 'Ticket statistics by type and status, like `aitrackdown status --stats` (exit 1 when the configured ticket folder is missing)',
    options: { ...ROOT_OPTION, stats: { type: 'boolean' } },
  },
  ticketsRoots: {
    path: ['tickets', 'roots'],
    summary: 'List every folder of the workspace that holds tickets, with its ticket count and the one in use',
    options: ROOT_OPTION,
  },
});

import { Disposable } from '../common/lifecycle';
import { relative } from 'node:path';
import * as vscode from 'vscode';
import { isOpen, type NormalizedStatus, type Ticket } from '../../core/tickets/model';
import { statusLabel } from '../../core/tickets/status';
import type { TicketQuery } from '../../core/tickets/ticketIndex';
import type { FolderTickets, TicketStore } from './ticketStore';
import { markdownText } from '../../core/common/markdownText';
import { countOf } from '../../core/common/plural';

export const GROUP_MODES = ['none', 'status', 'priority', 'assignee', 'type'] as const;
export type GroupMode = (typeof GROUP_MODES)[number];

export interface TicketFilter {
  text?: string;
  status?: string;
  tag?: string;
}

export type TicketNode =
  | { kind: 'folder'; entry: FolderTickets }
  /** One of several ticket roots of a folder that shows them all. */
  | { kind: 'root'; entry: FolderTickets }
  /** The root in use is not where the tickets are (a missing configured folder, a fuller one elsewhere). */
  | { kind: 'notice'; entry: FolderTickets }
  | { kind: 'group'; entry: FolderTickets; label: string; tickets: Ticket[] }
  | { kind: 'ticket'; entry: FolderTickets; ticket: Ticket; nested: boolean };

const STATUS_ICONS: Record<NormalizedStatus, [string, string]> = {
  open: ['circle-large-outline', 'charts.blue'],
  in_progress: ['sync', 'charts.yellow'],
  review: ['eye', 'charts.purple'],
  blocked: ['error', 'charts.red'],
  done: ['pass-filled', 'charts.green'],
  cancelled: ['circle-slash', 'disabledForeground'],
  archived: ['archive', 'disabledForeground'],
};
const TYPE_ICONS: Record<string, string> = { epic: 'milestone', issue: 'issues', task: 'tasklist', pr: 'git-pull-request', bug: 'bug', comment: 'comment' };
const PRIORITY_ORDER = ['critical', 'high', 'medium', 'low'];
const STATUS_ORDER: NormalizedStatus[] = ['in_progress', 'review', 'blocked', 'open', 'done', 'cancelled', 'archived'];

/** Tickets as epics → issues → tasks, or flat within groups; filtered from the view toolbar. */
export class TicketsTreeProvider extends Disposable implements vscode.TreeDataProvider<TicketNode> {
  private readonly changed = this._register(new vscode.EventEmitter<TicketNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  groupBy: GroupMode = 'none';
  filter: TicketFilter = {};

  constructor(private readonly store: TicketStore) {
    super();
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  setGroupBy(mode: GroupMode): void {
    this.groupBy = mode;
    this.refresh();
  }

  setFilter(filter: TicketFilter): void {
    this.filter = filter;
    this.refresh();
  }

  isFiltered(): boolean {
    return Boolean(this.filter.text || this.filter.status || this.filter.tag);
  }

  async getChildren(node?: TicketNode): Promise<TicketNode[]> {
    if (!node) {
      const entries = (await this.store.all()).filter((e) => e.tracker.index.counts().total > 0);
      if (entries.length > 1) return entries.map((entry) => ({ kind: 'folder', entry }));
      return entries.length ? this.folderChildren(entries[0]) : [];
    }
    if (node.kind === 'folder') return this.folderChildren(node.entry);
    if (node.kind === 'root') return this.topLevel(node.entry);
    if (node.kind === 'notice') return [];
    if (node.kind === 'group') return node.tickets.map((ticket) => ({ kind: 'ticket', entry: node.entry, ticket, nested: false }));
    if (!node.nested) return [];
    return node.entry.tracker.index.children(node.ticket.id).map((ticket) => ({ kind: 'ticket', entry: node.entry, ticket, nested: true }));
  }

  /** A folder's ticket roots when it shows them all, else the tickets of its one root under a notice when due. */
  private async folderChildren(entry: FolderTickets): Promise<TicketNode[]> {
    const { others } = await this.store.roots(entry.folder);
    if (others.length) return [entry, ...others].map((e) => ({ kind: 'root', entry: e }));
    const { notice, configuredRootMissing } = entry.tracker.location;
    const top = this.topLevel(entry);
    return notice || configuredRootMissing ? [{ kind: 'notice', entry }, ...top] : top;
  }

  private topLevel(entry: FolderTickets): TicketNode[] {
    const index = entry.tracker.index;
    if (this.groupBy === 'none' && !this.isFiltered()) return index.roots().map((ticket) => ({ kind: 'ticket', entry, ticket, nested: true }));
    const tickets = this.matching(entry);
    if (this.groupBy === 'none') return tickets.map((ticket) => ({ kind: 'ticket', entry, ticket, nested: false }));
    const groups = new Map<string, Ticket[]>();
    for (const ticket of tickets) {
      for (const key of groupKeys(ticket, this.groupBy)) {
        let list = groups.get(key);
        if (!list) groups.set(key, (list = []));
        list.push(ticket);
      }
    }
    return [...groups.entries()].sort(([a], [b]) => groupOrder(this.groupBy, a) - groupOrder(this.groupBy, b) || a.localeCompare(b)).map(([label, list]) => ({ kind: 'group', entry, label, tickets: list }));
  }

  private matching(entry: FolderTickets): Ticket[] {
    const query: TicketQuery = { text: this.filter.text, status: this.filter.status, tag: this.filter.tag };
    return entry.tracker.index.query(query);
  }

  getTreeItem(node: TicketNode): vscode.TreeItem {
    if (node.kind === 'folder') {
      const item = new vscode.TreeItem(node.entry.folder.name, vscode.TreeItemCollapsibleState.Expanded);
      item.iconPath = new vscode.ThemeIcon('root-folder');
      item.description = vscode.l10n.t('{0} open', node.entry.tracker.index.counts().open);
      return item;
    }
    if (node.kind === 'root') {
      const { location, index } = node.entry.tracker;
      const item = new vscode.TreeItem(relative(location.workspaceRoot, location.root) || '.', vscode.TreeItemCollapsibleState.Expanded);
      item.id = `${node.entry.folder.uri.toString()}#root:${location.root}`;
      item.iconPath = new vscode.ThemeIcon('folder-library');
      item.description = vscode.l10n.t('{0} open of {1}', index.counts().open, index.counts().total);
      return item;
    }
    if (node.kind === 'notice') {
      const { location } = node.entry.tracker;
      const item = new vscode.TreeItem(rootNotice(node.entry), vscode.TreeItemCollapsibleState.None);
      item.id = `${node.entry.folder.uri.toString()}#notice`;
      item.iconPath = new vscode.ThemeIcon(location.configuredRootMissing ? 'error' : 'warning', new vscode.ThemeColor(location.configuredRootMissing ? 'problemsErrorIcon.foreground' : 'problemsWarningIcon.foreground'));
      item.description = vscode.l10n.t('Choose…');
      item.tooltip = new vscode.MarkdownString(markdownText([...location.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), location.notice ?? ''].filter(Boolean).join('\n\n')));
      item.command = { command: 'claudePm.tickets.chooseRoot', title: vscode.l10n.t('Choose Ticket Root…'), arguments: [node] };
      return item;
    }
    if (node.kind === 'group') {
      const item = new vscode.TreeItem(groupLabel(this.groupBy, node.label), vscode.TreeItemCollapsibleState.Expanded);
      item.description = String(node.tickets.length);
      item.contextValue = 'ticketGroup';
      return item;
    }
    const t = node.ticket;
    const hasChildren = node.nested && node.entry.tracker.index.children(t.id).length > 0;
    const item = new vscode.TreeItem(t.title, hasChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = `${node.entry.folder.uri.toString()}#${t.path}`;
    item.description = `${t.id} · ${statusLabel(t.state ?? t.status)}`;
    item.tooltip = ticketTooltip(t);
    const [icon, color] = STATUS_ICONS[t.normalizedStatus];
    item.iconPath = new vscode.ThemeIcon(t.normalizedStatus === 'open' ? (TYPE_ICONS[t.type] ?? icon) : icon, new vscode.ThemeColor(priorityColor(t) ?? color));
    item.contextValue = isOpen(t.normalizedStatus) ? 'ticket' : 'ticketClosed';
    item.command = { command: 'claudePm.tickets.open', title: vscode.l10n.t('Open Ticket'), arguments: [node] };
    return item;
  }
}

/** The commands a ticket tooltip links to; only these run from its Markdown. */
export const TICKET_LINK_COMMANDS = ['claudePm.tickets.open', 'claudePm.tickets.transition', 'claudePm.tickets.delegate'];

function commandLink(title: string, command: string, ticketId: string): string {
  return `[${title}](command:${command}?${encodeURIComponent(JSON.stringify([ticketId]))})`;
}

/** The ticket's summary; with `links`, Open / Transition / Delegate links (open tickets only for the last two). */
export function ticketTooltip(t: Ticket, links = false): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${markdownText(t.id)}** · ${markdownText(t.type)}\n\n`);
  md.appendMarkdown(`**${markdownText(t.title)}**\n\n`);
  md.appendMarkdown(`${vscode.l10n.t('Status')}: ${markdownText(statusLabel(t.state ?? t.status))} · ${vscode.l10n.t('Priority')}: ${markdownText(t.priority)}`);
  if (t.assignees.length) md.appendMarkdown(` · ${markdownText(t.assignees.join(', '))}`);
  if (t.parentId) md.appendMarkdown(`\n\n${vscode.l10n.t('Parent')}: ${markdownText(t.parentId)}`);
  if (t.statusConflict) md.appendMarkdown(`\n\n$(warning) ${markdownText(vscode.l10n.t("The state '{0}' contradicts the status '{1}'; the state wins.", t.statusConflict.state, t.statusConflict.status))}`);
  if (t.archivedByBanner) md.appendMarkdown(`\n\n$(archive) ${markdownText(vscode.l10n.t('Archived: the file starts with a TICKET CLOSED banner.'))}`);
  if (t.description) md.appendMarkdown(`\n\n---\n\n${markdownText(summary(t.description))}`);
  if (links) {
    md.isTrusted = { enabledCommands: TICKET_LINK_COMMANDS };
    const actions = [commandLink(vscode.l10n.t('Open'), 'claudePm.tickets.open', t.id)];
    if (isOpen(t.normalizedStatus)) actions.push(commandLink(vscode.l10n.t('Transition…'), 'claudePm.tickets.transition', t.id), commandLink(vscode.l10n.t('Delegate…'), 'claudePm.tickets.delegate', t.id));
    md.appendMarkdown(`\n\n---\n\n${actions.join(' · ')}`);
  }
  return md;
}

/** What the notice row says: the configured folder is missing, or another folder holds more tickets. */
function rootNotice(entry: FolderTickets): string {
  const { location } = entry.tracker;
  const fuller = location.candidates.find((c) => c.root !== location.root && c.tickets > 0);
  if (location.configuredRootMissing) return vscode.l10n.t('The configured ticket folder is missing');
  return fuller ? vscode.l10n.t('{0} holds {1}', fuller.relPath, countOf(fuller.tickets, 'ticket')) : vscode.l10n.t('Another folder holds tickets');
}

function summary(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 280 ? `${oneLine.slice(0, 279)}…` : oneLine;
}

function priorityColor(t: Ticket): string | undefined {
  if (!isOpen(t.normalizedStatus)) return undefined;
  if (t.priority === 'critical') return 'charts.red';
  if (t.priority === 'high') return 'charts.orange';
  return undefined;
}

function groupKeys(t: Ticket, mode: GroupMode): string[] {
  switch (mode) {
    case 'status':
      return [t.normalizedStatus];
    case 'priority':
      return [t.priority];
    case 'assignee':
      return t.assignees.length ? t.assignees : [''];
    default:
      return [t.type];
  }
}

function groupOrder(mode: GroupMode, key: string): number {
  const list: string[] = mode === 'status' ? STATUS_ORDER : mode === 'priority' ? PRIORITY_ORDER : mode === 'type' ? ['epic', 'issue', 'task', 'bug', 'pr', 'comment'] : [];
  const i = list.indexOf(key);
  return i === -1 ? list.length : i;
}

function groupLabel(mode: GroupMode, key: string): string {
  if (mode === 'assignee' && key === '') return vscode.l10n.t('Unassigned');
  return mode === 'status' ? statusLabel(key) : key.replace(/_/g, ' ');
}

import * as vscode from 'vscode';
import { basename } from 'node:path';
import { countOf } from '../../core/common/plural';
import { idFromFileName, isOpen, type Ticket } from '../../core/tickets/model';
import { findRootCandidates } from '../../core/tickets/candidates';
import { withTicketFrontmatter } from '../../core/tickets/newTicket';
import { statusLabel } from '../../core/tickets/status';
import { initTracker, type CreateTicketInput } from '../../core/tickets/tracker';
import { registerCommand } from '../commands';
import type { FeatureContext } from '../featureContext';
import { GROUP_MODES, type GroupMode, type TicketNode, type TicketsTreeProvider } from './ticketsTree';
import type { FolderTickets, TicketStore } from './ticketStore';

type Picked = { entry: FolderTickets; ticket: Ticket };

const DELEGATE_COMMAND = 'claudePm.agents.delegate';
const GROUP_BY_KEY = 'claudePm.tickets.groupBy';

export function registerTicketCommands(features: FeatureContext, store: TicketStore, tree: TicketsTreeProvider): void {
  const write = { permission: 'ticket.write' as const };
  const changed = (entry: FolderTickets) => store.notifyChanged(entry);

  registerCommand(features, 'claudePm.tickets.refresh', () => store.reload());

  registerCommand(features, 'claudePm.tickets.open', async (node?: TicketNode | string) => {
    const picked = await ticketFrom(store, node, vscode.l10n.t('Open which ticket?'));
    if (picked) await vscode.window.showTextDocument(vscode.Uri.file(picked.ticket.path), { preview: true });
  });

  registerCommand(
    features,
    'claudePm.tickets.create',
    async (node?: TicketNode) => {
      const entry = node && node.kind !== 'folder' ? node.entry : await folderEntry(features, store, node);
      if (!entry) return;
      // Only epics and issues take children: from any other ticket, create a free-standing one.
      const parent = node?.kind === 'ticket' && (node.ticket.type === 'epic' || node.ticket.type === 'issue') ? node.ticket : undefined;
      const input = await askNewTicket(entry, parent);
      if (!input) return;
      const ticket = await entry.tracker.create(input);
      changed(entry);
      await vscode.window.showTextDocument(vscode.Uri.file(ticket.path), { preview: false });
    },
    write,
  );

  registerCommand(
    features,
    'claudePm.tickets.transition',
    async (node?: TicketNode | string, target?: string) => {
      const picked = await ticketFrom(store, node, vscode.l10n.t('Transition which ticket?'), true);
      if (!picked) return;
      const next = picked.entry.tracker.nextStates(picked.ticket.id);
      if (next.length === 0) {
        void vscode.window.showInformationMessage(vscode.l10n.t('{0} is in a final state ({1}).', picked.ticket.id, statusLabel(picked.ticket.state ?? picked.ticket.status)));
        return;
      }
      const state =
        target ??
        (
          await vscode.window.showQuickPick(
            next.map((s) => ({ label: statusLabel(s), description: s, state: s })),
            { title: vscode.l10n.t('{0}: {1} → ?', picked.ticket.id, statusLabel(picked.ticket.state ?? picked.ticket.status)), placeHolder: vscode.l10n.t('Next state'), matchOnDescription: true },
          )
        )?.state;
      if (!state) return;
      const reason = target ? undefined : await vscode.window.showInputBox({ title: vscode.l10n.t('Reason for the change (optional)'), placeHolder: vscode.l10n.t('Press Enter to skip') });
      if (reason === undefined && !target) return;
      await picked.entry.tracker.transition(picked.ticket.id, state, { reason: reason || undefined });
      changed(picked.entry);
    },
    write,
  );

  registerCommand(
    features,
    'claudePm.tickets.complete',
    async (node?: TicketNode | string) => {
      const picked = await ticketFrom(store, node, vscode.l10n.t('Complete which ticket?'), true);
      if (!picked) return;
      const openChildren = picked.entry.tracker.index.children(picked.ticket.id).filter((c) => isOpen(c.normalizedStatus));
      let cascade = false;
      if (openChildren.length) {
        const withChildren = vscode.l10n.t('Complete with {0} open children', openChildren.length);
        const only = vscode.l10n.t('Only {0}', picked.ticket.id);
        const choice = await vscode.window.showWarningMessage(vscode.l10n.t('{0} has open children.', picked.ticket.id), { modal: true }, withChildren, only);
        if (!choice) return;
        cascade = choice === withChildren;
      }
      const done = await picked.entry.tracker.complete(picked.ticket.id, { cascade });
      changed(picked.entry);
      void vscode.window.showInformationMessage(vscode.l10n.t('Completed {0}.', done.map((t) => t.id).join(', ')));
    },
    write,
  );

  registerCommand(
    features,
    'claudePm.tickets.addNote',
    async (node?: TicketNode | string) => {
      const picked = await ticketFrom(store, node, vscode.l10n.t('Add a note to which ticket?'));
      if (!picked) return;
      const note = await vscode.window.showInputBox({ title: vscode.l10n.t('Note for {0}', picked.ticket.id), validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('The note is empty')) });
      if (!note) return;
      await picked.entry.tracker.addNote(picked.ticket.id, note);
      changed(picked.entry);
    },
    write,
  );

  registerCommand(features, 'claudePm.tickets.delegate', async (node?: TicketNode | string) => {
    const picked = await ticketFrom(store, node, vscode.l10n.t('Delegate which ticket?'), true);
    if (!picked) return;
    if (!(await vscode.commands.getCommands(true)).includes(DELEGATE_COMMAND)) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Delegation is not available: the agents feature is not loaded.'));
      return;
    }
    const { ticket } = picked;
    await vscode.commands.executeCommand(DELEGATE_COMMAND, { task: ticket.description ? `${ticket.title}\n\n${ticket.description}` : ticket.title, ticketId: ticket.id });
  });

  registerCommand(features, 'claudePm.tickets.groupBy', async (mode?: GroupMode) => {
    const labels: Record<GroupMode, string> = { none: vscode.l10n.t('Hierarchy (epics → issues → tasks)'), status: vscode.l10n.t('Status'), priority: vscode.l10n.t('Priority'), assignee: vscode.l10n.t('Assignee'), type: vscode.l10n.t('Type') };
    const choice =
      mode ??
      (
        await vscode.window.showQuickPick(
          GROUP_MODES.map((m) => ({ label: labels[m], mode: m, picked: m === tree.groupBy, description: m === tree.groupBy ? vscode.l10n.t('current') : undefined })),
          { title: vscode.l10n.t('Group tickets by') },
        )
      )?.mode;
    if (!choice || !(GROUP_MODES as readonly string[]).includes(choice)) return;
    tree.setGroupBy(choice);
    await features.extension.workspaceState.update(GROUP_BY_KEY, choice);
  });

  registerCommand(features, 'claudePm.tickets.filter', async () => {
    const kinds = [
      { label: vscode.l10n.t('Text'), field: 'text' as const },
      { label: vscode.l10n.t('Status'), field: 'status' as const },
      { label: vscode.l10n.t('Tag'), field: 'tag' as const },
    ];
    const kind = (await vscode.window.showQuickPick(kinds, { title: vscode.l10n.t('Filter tickets by') }))?.field;
    if (!kind) return;
    const entries = store.inMemory();
    let value: string | undefined;
    if (kind === 'text') value = await vscode.window.showInputBox({ title: vscode.l10n.t('Show tickets whose ID, title or description contains'), value: tree.filter.text });
    else {
      const values = new Set<string>();
      for (const { tracker } of entries) {
        for (const t of tracker.index.tickets()) {
          if (kind === 'status') {
            values.add(t.normalizedStatus);
            values.add(t.state ?? t.status);
          } else t.tags.forEach((tag) => values.add(tag));
        }
      }
      value = (await vscode.window.showQuickPick([...values].sort().map((label) => ({ label })), { title: kind === 'status' ? vscode.l10n.t('Status') : vscode.l10n.t('Tag') }))?.label;
    }
    if (value === undefined) return;
    tree.setFilter({ ...tree.filter, [kind]: value || undefined });
    await vscode.commands.executeCommand('setContext', 'claudePm.tickets.filtered', tree.isFiltered());
  });

  registerCommand(features, 'claudePm.tickets.clearFilter', async () => {
    tree.setFilter({});
    await vscode.commands.executeCommand('setContext', 'claudePm.tickets.filtered', false);
  });

  registerCommand(features, 'claudePm.tickets.chooseRoot', async (node?: TicketNode) => {
    const folder = node ? node.entry.folder : await features.sessions.resolveFolder(undefined, vscode.l10n.t('Choose the ticket root of which folder?'));
    if (!folder) return;
    const { location } = (await store.get(folder)).tracker;
    // A root chosen in settings skips the search for others: look now, so that every folder can be chosen again.
    const candidates = await findRootCandidates(location.workspaceRoot, [location.root]);
    type Choice = vscode.QuickPickItem & { root?: string; showAll?: boolean };
    const choices: Choice[] = [
      ...candidates.map((c) => ({
        label: c.relPath,
        description: countOf(c.tickets, 'ticket'),
        detail: c.root === location.root ? vscode.l10n.t('In use') : undefined,
        root: c.relPath,
      })),
      { label: vscode.l10n.t('Show every folder that holds tickets'), description: vscode.l10n.t('Each as its own root in the Tickets view'), showAll: true },
    ];
    const picked = await vscode.window.showQuickPick(choices, { title: vscode.l10n.t('Ticket root of {0}', folder.name), placeHolder: vscode.l10n.t('The choice is kept in the claudePm.tickets settings of this folder') });
    if (!picked) return;
    const settings = vscode.workspace.getConfiguration('claudePm', folder.uri);
    // Settings of the folder: they win over `.claude-pm/config.json`, whose `tickets` keys keep a team's choice.
    if (picked.showAll) await settings.update('tickets.showAllRoots', true, vscode.ConfigurationTarget.WorkspaceFolder);
    else {
      await settings.update('tickets.root', picked.root, vscode.ConfigurationTarget.WorkspaceFolder);
      await settings.update('tickets.showAllRoots', undefined, vscode.ConfigurationTarget.WorkspaceFolder);
    }
  });

  registerCommand(
    features,
    'claudePm.tickets.addFrontmatter',
    async (uri?: vscode.Uri, id?: string) => {
      const target = uri ?? vscode.window.activeTextEditor?.document.uri;
      const folder = target && vscode.workspace.getWorkspaceFolder(target);
      const claimed = id ?? (target && idFromFileName(basename(target.fsPath)));
      if (!target || !folder || !claimed) {
        void vscode.window.showWarningMessage(vscode.l10n.t('Open a Markdown file named like a ticket (ISS-0042-….md) first.'));
        return;
      }
      const entry = await store.get(folder);
      const document = await vscode.workspace.openTextDocument(target);
      const text = withTicketFrontmatter(document.getText(), claimed, entry.tracker.format(), new Date());
      const edit = new vscode.WorkspaceEdit();
      edit.replace(target, new vscode.Range(0, 0, document.lineCount, 0), text);
      await vscode.workspace.applyEdit(edit);
      await document.save();
      entry.tracker.index.setFileText(target.fsPath, text);
      changed(entry);
    },
    write,
  );

  registerCommand(
    features,
    'claudePm.tickets.init',
    async () => {
      const folder = await features.sessions.resolveFolder(undefined, vscode.l10n.t('Initialise the ticket tracker in which folder?'));
      if (!folder) {
        void vscode.window.showWarningMessage(vscode.l10n.t('Open a folder first: the ticket tracker lives in a workspace folder.'));
        return;
      }
      const { created } = await initTracker(folder.uri.fsPath, { name: folder.name });
      features.sessions.invalidate(folder);
      void vscode.window.showInformationMessage(created.length ? vscode.l10n.t('Ticket tracker initialised in {0}.', folder.name) : vscode.l10n.t('{0} already has a ticket tracker.', folder.name));
    },
    write,
  );
}

/** The restored group-by mode, read from workspace state (memory only, no I/O). */
export function savedGroupBy(features: FeatureContext): GroupMode {
  const saved = features.extension.workspaceState.get<string>(GROUP_BY_KEY);
  return (GROUP_MODES as readonly string[]).includes(saved ?? '') ? (saved as GroupMode) : 'none';
}

/** The ticket of a tree node or of an ID passed by another command, else one the user picks (open ones only, when asked). */
async function ticketFrom(store: TicketStore, node: TicketNode | string | undefined, title: string, openOnly = false): Promise<Picked | undefined> {
  if (typeof node === 'string') {
    await store.all();
    const found = store.find(node);
    if (!found) throw new Error(vscode.l10n.t('No ticket {0} in this workspace.', node));
    return { entry: found.entry, ticket: found.ticket };
  }
  if (node?.kind === 'ticket') return { entry: node.entry, ticket: node.ticket };
  const items: (vscode.QuickPickItem & Picked)[] = [];
  for (const entry of await store.all()) {
    for (const ticket of entry.tracker.index.query({})) {
      if (openOnly && !isOpen(ticket.normalizedStatus)) continue;
      items.push({ label: `${ticket.id} ${ticket.title}`, description: statusLabel(ticket.state ?? ticket.status), detail: store.folders().length > 1 ? entry.folder.name : undefined, entry, ticket });
    }
  }
  if (items.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No tickets found. Initialise a tracker or create a ticket first.'));
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(items, { title, matchOnDescription: true });
  return picked && { entry: picked.entry, ticket: picked.ticket };
}

async function folderEntry(features: FeatureContext, store: TicketStore, target?: unknown): Promise<FolderTickets | undefined> {
  const folder = await features.sessions.resolveFolder(target, vscode.l10n.t('Create the ticket in which folder?'));
  return folder ? store.get(folder) : undefined;
}

/** Type, title, parent and priority, asked in turn; a ticket node preselects its child type and itself as parent. */
async function askNewTicket(entry: FolderTickets, parent: Ticket | undefined): Promise<CreateTicketInput | undefined> {
  const preset = parent?.type === 'epic' ? 'issue' : parent?.type === 'issue' ? 'task' : undefined;
  const type =
    preset ??
    (
      await vscode.window.showQuickPick(
        (['epic', 'issue', 'task', 'bug'] as const).map((t) => ({ label: t, type: t })),
        { title: vscode.l10n.t('New ticket type') },
      )
    )?.type;
  if (!type) return undefined;
  const title = await vscode.window.showInputBox({ title: vscode.l10n.t('Title of the new {0}', type), validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('A ticket needs a title')) });
  if (!title) return undefined;
  const index = entry.tracker.index;
  let epicId = parent?.type === 'epic' ? parent.id : undefined;
  let issueId = parent?.type === 'issue' ? parent.id : undefined;
  if (!parent && type === 'issue') {
    const epics = index.query({ type: 'epic' }).filter((t) => isOpen(t.normalizedStatus));
    if (epics.length) {
      const none = { label: vscode.l10n.t('(no epic)'), id: undefined };
      const pick = await vscode.window.showQuickPick([none, ...epics.map((e) => ({ label: `${e.id} ${e.title}`, id: e.id }))], { title: vscode.l10n.t('Epic of the new issue') });
      if (!pick) return undefined;
      epicId = pick.id;
    }
  }
  if (!parent && type === 'task') {
    const issues = index.query({ type: 'issue' }).filter((t) => isOpen(t.normalizedStatus));
    const pick = await vscode.window.showQuickPick(
      issues.map((i) => ({ label: `${i.id} ${i.title}`, id: i.id })),
      { title: vscode.l10n.t('Issue of the new task') },
    );
    if (!pick) return undefined;
    issueId = pick.id;
  }
  const priority = (await vscode.window.showQuickPick(['medium', 'high', 'critical', 'low'], { title: vscode.l10n.t('Priority') })) ?? undefined;
  if (!priority) return undefined;
  return { type, title, epicId, issueId, priority };
}

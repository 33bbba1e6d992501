import * as vscode from 'vscode';
import type { FeatureContext } from '../featureContext';
import { FrontmatterQuickFix } from './frontmatterQuickFix';
import { registerSyncCommand } from './syncCommand';
import { registerTicketCommands, savedGroupBy } from './ticketCommands';
import { TicketHoverProvider } from './ticketHover';
import { TicketsTreeProvider } from './ticketsTree';
import { TicketStore } from './ticketStore';
import { createTree } from '../common/treeViews';

// Languages whose comments commonly cite tickets; Markdown for notes and ticket bodies.
const HOVER_LANGUAGES = ['markdown', 'plaintext', 'typescript', 'javascript', 'typescriptreact', 'javascriptreact', 'python', 'go', 'rust', 'java', 'csharp', 'c', 'cpp', 'ruby', 'php', 'shellscript', 'yaml'];

const INDEX_DELAY_MS = 1500;

/** Tickets view, commands, hover and Problems: nothing is read until the view or a command asks. */
export function registerTickets(features: FeatureContext): void {
  const store = new TicketStore(features.sessions);
  const tree = new TicketsTreeProvider(store);
  tree.groupBy = savedGroupBy(features);
  const view = createTree('claudePm.tickets', tree);
  // A count in the description, not a badge: the activity bar adds up every view's badge, and open tickets are
  // not alerts to be added to the health alerts there.
  const updateCount = () => {
    const open = store.counts().open;
    view.description = open ? vscode.l10n.t('{0} open', open) : undefined;
  };
  features.extension.subscriptions.push(
    store,
    tree,
    view,
    store.onDidChange(() => {
      tree.refresh();
      updateCount();
      features.counts.notify();
    }),
    features.counts.register('tickets', () => store.counts()),
    vscode.languages.registerCodeActionsProvider({ language: 'markdown', scheme: 'file' }, new FrontmatterQuickFix(), { providedCodeActionKinds: FrontmatterQuickFix.kinds }),
    vscode.languages.registerHoverProvider(
      HOVER_LANGUAGES.map((language) => ({ language })),
      new TicketHoverProvider(store, features.sessions),
    ),
  );
  registerTicketCommands(features, store, tree);
  registerSyncCommand(features, store);
  // Index in the background shortly after start-up, so that the open count and ID hovers work before the view opens.
  const deferred = setTimeout(() => void store.all(), INDEX_DELAY_MS);
  features.extension.subscriptions.push({ dispose: () => clearTimeout(deferred) });
}

import * as vscode from 'vscode';
import type { DeploymentStatus } from '../../core/templates/inspect';
import type { FeatureContext } from '../featureContext';
import { ReadOnlyDocuments } from '../common/readOnlyDocuments';
import { RENDERED_SCHEME } from './renderedDocuments';
import { registerTemplateCommands } from './templateCommands';
import { notifyUpdateOnce, TemplateStatusStore } from './templateStatusStore';
import { templateTreeItems } from './templateTreeItems';
import { VariableDiagnostics } from './variableDiagnostics';

/** What the Health tree's "Templates" node reads. */
export interface TemplatesFeature {
  status(folder: vscode.WorkspaceFolder): Promise<DeploymentStatus>;
  /** Ready-made children for a "Templates" node: one item per CLAUDE.md target of `folder`. */
  treeItems(folder: vscode.WorkspaceFolder): Promise<vscode.TreeItem[]>;
  /** Fires after a deploy, a rollback or a config change. */
  readonly onDidChange: vscode.Event<void>;
}

/** Delay before the one-time "update available" check, so it never competes with start-up. */
const UPDATE_CHECK_DELAY_MS = 15_000;

// Registration only: the status is computed on first request, the update check and the scan of
// already-open documents run after start-up.
export function registerTemplates(features: FeatureContext): TemplatesFeature {
  const documents = new ReadOnlyDocuments(RENDERED_SCHEME);
  const store = new TemplateStatusStore(features);
  const diagnostics = new VariableDiagnostics(features);
  const deferred = setTimeout(() => {
    diagnostics.checkOpenDocuments();
    if (vscode.workspace.isTrusted) void notifyUpdateOnce(features, store).catch((error: Error) => features.logger.warn(`template update check failed: ${error.message}`));
  }, UPDATE_CHECK_DELAY_MS);
  features.extension.subscriptions.push(
    documents,
    store,
    diagnostics,
    { dispose: () => clearTimeout(deferred) },
  );
  registerTemplateCommands(features, documents, store);
  return { status: (folder) => store.status(folder), treeItems: async (folder) => templateTreeItems(await store.status(folder)), onDidChange: store.onDidChange };
}

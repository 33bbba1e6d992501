import * as vscode from 'vscode';

/** A view and its provider. */
export interface Tree {
  readonly provider: vscode.TreeDataProvider<unknown>;
  readonly view: vscode.TreeView<unknown>;
}

/** The trees by view id: the in-editor tests read what a view shows through the extension's API. */
export type TreeProviders = ReadonlyMap<string, Tree>;

const providers = new Map<string, Tree>();

/** Creates a view over `provider` (collapse-all on) and records both under the view's id. */
export function createTree<T>(id: string, provider: vscode.TreeDataProvider<T>): vscode.TreeView<T> {
  const view = vscode.window.createTreeView(id, { treeDataProvider: provider, showCollapseAll: true });
  providers.set(id, { provider: provider as vscode.TreeDataProvider<unknown>, view: view as vscode.TreeView<unknown> });
  return Object.assign(view, {
    dispose: () => {
      providers.delete(id);
      view.dispose();
    },
  });
}

export function treeProviders(): TreeProviders {
  return providers;
}

import type * as vscode from 'vscode';

/** A tree with no items, so the view shows its welcome content until a feature provides data. */
export class EmptyTreeProvider implements vscode.TreeDataProvider<never> {
  getTreeItem(element: never): vscode.TreeItem {
    return element;
  }
  getChildren(): never[] {
    return [];
  }
}

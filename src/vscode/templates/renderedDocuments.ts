import * as vscode from 'vscode';

export const RENDERED_SCHEME = 'claude-pm-rendered';

/** Read-only documents holding what a deploy would write, for `vscode.diff` previews. */
export class RenderedDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  /** Stores `text` under a URI named after `target` and returns the URI. */
  show(target: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: RENDERED_SCHEME, path: target });
    this.contents.set(uri.toString(), text);
    this.changed.fire(uri);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  dispose(): void {
    this.changed.dispose();
    this.contents.clear();
  }
}

/** Opens a diff of the target's current content (or an empty document) against the rendered one. */
export async function showDeployDiff(documents: RenderedDocuments, target: string, exists: boolean, rendered: string): Promise<void> {
  const left = exists ? vscode.Uri.file(target) : documents.show(`${target}.empty`, '');
  const right = documents.show(target, rendered);
  await vscode.commands.executeCommand('vscode.diff', left, right, vscode.l10n.t('{0} ↔ framework template', vscode.workspace.asRelativePath(target)), { preview: true });
}

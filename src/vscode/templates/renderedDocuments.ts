import * as vscode from 'vscode';
import type { ReadOnlyDocuments } from '../common/readOnlyDocuments';

export const RENDERED_SCHEME = 'claude-pm-rendered';

/** Opens a diff of the target's current content (or an empty document) against the rendered one. */
export async function showDeployDiff(documents: ReadOnlyDocuments, target: string, exists: boolean, rendered: string): Promise<void> {
  const left = exists ? vscode.Uri.file(target) : documents.show(`${target}.empty`, '');
  const right = documents.show(target, rendered);
  await vscode.commands.executeCommand('vscode.diff', left, right, vscode.l10n.t('{0} ↔ framework template', vscode.workspace.asRelativePath(target)), { preview: true });
}

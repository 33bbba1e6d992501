import { basename } from 'node:path';
import * as vscode from 'vscode';
import { idFromFileName } from '../../core/tickets/model';
import { NO_FRONTMATTER } from '../../core/tickets/reader';

/** On a note named like a ticket but without frontmatter, offers to add the frontmatter that makes it that ticket. */
export class FrontmatterQuickFix implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const diagnostic = context.diagnostics.find((d) => d.code === NO_FRONTMATTER);
    const id = diagnostic && idFromFileName(basename(document.uri.fsPath));
    if (!diagnostic || !id) return [];
    const action = new vscode.CodeAction(vscode.l10n.t('Add ticket frontmatter for {0} from the heading', id), vscode.CodeActionKind.QuickFix);
    action.diagnostics = [diagnostic];
    action.isPreferred = true;
    action.command = { command: 'claudePm.tickets.addFrontmatter', title: action.title, arguments: [document.uri, id] };
    return [action];
  }
}

import { basename } from 'node:path';
import * as vscode from 'vscode';
import { isFrameworkOwned } from '../../core/templates/metadata';
import { findVariables, TemplateSyntaxError, unknownVariables } from '../../core/templates/render';
import type { FeatureContext } from '../featureContext';

/** Framework CLAUDE.md files and templates: the only documents whose `{{VARIABLE}}`s we check. */
function isClaudeMdTemplate(document: vscode.TextDocument): boolean {
  return /^CLAUDE.*\.md$/i.test(basename(document.fileName)) && isFrameworkOwned(document.lineAt(0).text);
}

/** Warns about `{{VARIABLE}}`s no one defines, on open and save of CLAUDE.md templates. */
export class VariableDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('claudePm.templates');
  private readonly disposables: vscode.Disposable[] = [this.collection];

  constructor(private readonly features: FeatureContext) {
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((d) => void this.check(d)),
      vscode.workspace.onDidSaveTextDocument((d) => void this.check(d)),
      vscode.workspace.onDidCloseTextDocument((d) => this.collection.delete(d.uri)),
    );
  }

  /** Checks the documents that were already open before the extension started. */
  checkOpenDocuments(): void {
    for (const document of vscode.workspace.textDocuments) void this.check(document);
  }

  private async check(document: vscode.TextDocument): Promise<void> {
    if (document.uri.scheme !== 'file' || document.lineCount === 0 || !isClaudeMdTemplate(document)) return;
    const folder = vscode.workspace.getWorkspaceFolder(document.uri);
    const configured = folder ? (await this.features.sessions.get(folder)).config.templateVariables : {};
    const diagnostics: vscode.Diagnostic[] = [];
    try {
      for (const use of unknownVariables(findVariables(document.fileName, document.getText()), configured)) {
        const range = new vscode.Range(use.line - 1, use.column, use.line - 1, use.column + use.length);
        const diagnostic = new vscode.Diagnostic(range, vscode.l10n.t('Unknown template variable {{{0}}}: define it in .claude-pm/config.json "template_variables" or remove it.', use.name), vscode.DiagnosticSeverity.Warning);
        diagnostic.source = 'Claude PM';
        diagnostics.push(diagnostic);
      }
    } catch (error) {
      if (!(error instanceof TemplateSyntaxError)) throw error;
      const line = Math.max(0, (error.line ?? 1) - 1);
      diagnostics.push(new vscode.Diagnostic(document.lineAt(Math.min(line, document.lineCount - 1)).range, error.message, vscode.DiagnosticSeverity.Warning));
    }
    this.collection.set(document.uri, diagnostics);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

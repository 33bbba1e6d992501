import * as vscode from 'vscode';
import type { FileDiagnostic } from '../../core/config/diagnostics';

const SEVERITIES: Record<FileDiagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/**
 * The one converter from the core's file diagnostics to the Problems panel. The range runs from the column
 * (or the line start) to the end of the line; `document`, when open, clamps it to the real text.
 */
export function toVsDiagnostic(d: FileDiagnostic, source: string, document?: vscode.TextDocument): vscode.Diagnostic {
  const line = Math.max(0, (d.line ?? 1) - 1);
  const start = new vscode.Position(line, Math.max(0, (d.column ?? 1) - 1));
  const range = new vscode.Range(start, new vscode.Position(line, Number.MAX_SAFE_INTEGER));
  const diagnostic = new vscode.Diagnostic(
    document ? document.validateRange(range) : range,
    d.key ? `${d.key}: ${d.message}` : d.message,
    SEVERITIES[d.severity],
  );
  diagnostic.source = source;
  if (d.code) diagnostic.code = d.code;
  return diagnostic;
}

/**
 * Replaces the problems of the files under `scope` (a folder path, or every file when undefined) with
 * `diagnostics`, grouped by file: files that no longer have any are cleared.
 */
export function publishDiagnostics(collection: vscode.DiagnosticCollection, diagnostics: readonly FileDiagnostic[], source: string, scope?: string): void {
  const byFile = new Map<string, vscode.Diagnostic[]>();
  for (const d of diagnostics) {
    let list = byFile.get(d.file);
    if (!list) byFile.set(d.file, (list = []));
    list.push(toVsDiagnostic(d, source));
  }
  const stale: vscode.Uri[] = [];
  collection.forEach((uri) => {
    if ((scope === undefined || uri.fsPath.startsWith(scope)) && !byFile.has(uri.fsPath)) stale.push(uri);
  });
  for (const uri of stale) collection.delete(uri);
  for (const [file, list] of byFile) collection.set(vscode.Uri.file(file), list);
}

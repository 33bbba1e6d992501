import * as vscode from 'vscode';
import { parseWorkflowText } from '../../core/orchestration/workflowFile';
import { toVsDiagnostic } from '../common/diagnostics';

const WORKFLOW_FILE = /[\\/]\.claude-pm[\\/]workflows[\\/][^\\/]+\.ya?ml$/i;
// Typing produces a burst of changes; validate once it pauses.
const DEBOUNCE_MS = 300;

/**
 * Problems for workflow files while they are edited: the same line-accurate checks as
 * `claude-pm workflow validate` (schema, dependencies, cycles, conditions). Only open documents are read.
 */
export class WorkflowDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('claudePm.workflows');
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.subscriptions = [
      vscode.workspace.onDidOpenTextDocument((doc) => this.check(doc)),
      vscode.workspace.onDidChangeTextDocument((e) => this.checkSoon(e.document)),
      vscode.workspace.onDidCloseTextDocument((doc) => this.collection.delete(doc.uri)),
    ];
    // Documents already open at start-up are checked after activation, not during it.
    const initial = setTimeout(() => vscode.workspace.textDocuments.forEach((doc) => this.check(doc)), 0);
    this.subscriptions.push(new vscode.Disposable(() => clearTimeout(initial)));
  }

  private checkSoon(doc: vscode.TextDocument): void {
    if (!WORKFLOW_FILE.test(doc.uri.fsPath)) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.check(doc);
      }, DEBOUNCE_MS),
    );
  }

  private check(doc: vscode.TextDocument): void {
    if (doc.isClosed || !WORKFLOW_FILE.test(doc.uri.fsPath)) return;
    const { diagnostics } = parseWorkflowText(doc.uri.fsPath, doc.getText());
    this.collection.set(
      doc.uri,
      diagnostics.map((d) => toVsDiagnostic(d, 'Claude PM', doc)),
    );
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    for (const s of this.subscriptions) s.dispose();
    this.collection.dispose();
  }
}

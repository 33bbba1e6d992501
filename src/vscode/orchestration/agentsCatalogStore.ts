import { homedir } from 'node:os';
import * as vscode from 'vscode';
import type { Logger } from '../../core/common/logger';
import { discoverAgents, type AgentCatalog } from '../../core/agents/discoverAgents';

/**
 * The agents of each workspace folder, discovered on first use and again when an agent file changes.
 * Problems in agent files go to the Problems panel.
 */
export class AgentsCatalogStore implements vscode.Disposable {
  private readonly cache = new Map<string, Promise<AgentCatalog>>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private readonly problems = vscode.languages.createDiagnosticCollection('claudePm.agents');
  private watching = false;
  private debounce: NodeJS.Timeout | undefined;
  /** The latest loaded catalogs, for synchronous readers (counts, hovers). */
  readonly loaded = new Map<string, AgentCatalog>();

  constructor(
    private readonly systemDir: string,
    private readonly logger: Logger,
  ) {
    this.disposables.push(this.problems);
  }

  get(folder: vscode.WorkspaceFolder): Promise<AgentCatalog> {
    this.watch();
    const key = folder.uri.toString();
    let entry = this.cache.get(key);
    if (!entry) {
      entry = discoverAgents({ projectRoot: folder.uri.fsPath, homeDir: homedir(), systemDir: this.systemDir }).then((catalog) => {
        this.loaded.set(key, catalog);
        this.report(catalog);
        return catalog;
      });
      this.cache.set(key, entry);
    }
    return entry;
  }

  refresh(): void {
    this.cache.clear();
    this.changed.fire();
  }

  private report(catalog: AgentCatalog): void {
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const d of catalog.diagnostics) {
      const line = Math.max(0, (d.line ?? 1) - 1);
      const diagnostic = new vscode.Diagnostic(new vscode.Range(line, 0, line, 200), d.message, d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
      diagnostic.source = 'Claude PM agents';
      byFile.set(d.file, [...(byFile.get(d.file) ?? []), diagnostic]);
      this.logger.warn(`${d.file}${d.line ? `:${d.line}` : ''}: ${d.message}`);
    }
    this.problems.clear();
    for (const [file, diagnostics] of byFile) this.problems.set(vscode.Uri.file(file), diagnostics);
  }

  /** Watches agent files once something asked for agents, not at activation. */
  private watch(): void {
    if (this.watching) return;
    this.watching = true;
    const onChange = () => {
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => this.refresh(), 300);
    };
    for (const pattern of ['**/.claude-pm/agents/**/*.md', '**/.claude/agents/**/*.md']) {
      const watcher = vscode.workspace.createFileSystemWatcher(pattern);
      this.disposables.push(watcher, watcher.onDidChange(onChange), watcher.onDidCreate(onChange), watcher.onDidDelete(onChange));
    }
    this.disposables.push(vscode.workspace.onDidChangeWorkspaceFolders(() => this.refresh()));
  }

  dispose(): void {
    clearTimeout(this.debounce);
    for (const d of this.disposables) d.dispose();
  }
}

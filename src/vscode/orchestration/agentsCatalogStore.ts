import { homedir } from 'node:os';
import * as vscode from 'vscode';
import type { Logger } from '../../core/common/logger';
import { discoverAgents, type AgentCatalog } from '../../core/agents/discoverAgents';
import { formatDiagnostic } from '../../core/config/diagnostics';
import { publishDiagnostics } from '../common/diagnostics';
import { Disposable } from '../common/lifecycle';
import { PromiseCache } from '../common/promiseCache';

/**
 * The agents of each workspace folder, discovered on first use and again when an agent file changes.
 * Problems in agent files go to the Problems panel.
 */
export class AgentsCatalogStore extends Disposable {
  private readonly cache = new PromiseCache<string, AgentCatalog>();
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;
  private readonly problems = this._register(vscode.languages.createDiagnosticCollection('claudePm.agents'));
  private watching = false;
  private debounce: NodeJS.Timeout | undefined;

  constructor(
    private readonly systemDir: string,
    private readonly logger: Logger,
  ) {
    super();
    this._register({ dispose: () => clearTimeout(this.debounce) });
  }

  get(folder: vscode.WorkspaceFolder): Promise<AgentCatalog> {
    this.watch();
    return this.cache.get(folder.uri.toString(), async () => {
      const catalog = await discoverAgents({ projectRoot: folder.uri.fsPath, homeDir: homedir(), systemDir: this.systemDir });
      this.report(catalog);
      return catalog;
    });
  }

  /** The latest loaded catalogs, for synchronous readers (counts, hovers). */
  loaded(): AgentCatalog[] {
    return this.cache.values();
  }

  refresh(): void {
    this.cache.delete();
    this.changed.fire();
  }

  // Problems of every folder's agent files, published together: user-tier files are shared by all folders.
  private report(latest: AgentCatalog): void {
    for (const d of latest.diagnostics) this.logger.warn(formatDiagnostic(d));
    const unique = new Map([...this.cache.values(), latest].flatMap((c) => c.diagnostics).map((d) => [formatDiagnostic(d), d]));
    publishDiagnostics(this.problems, [...unique.values()], 'Claude PM agents');
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
      const watcher = this._register(vscode.workspace.createFileSystemWatcher(pattern));
      this._register(watcher.onDidChange(onChange));
      this._register(watcher.onDidCreate(onChange));
      this._register(watcher.onDidDelete(onChange));
    }
    this._register(vscode.workspace.onDidChangeWorkspaceFolders(() => this.refresh()));
  }
}

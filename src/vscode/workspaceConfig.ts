import * as vscode from 'vscode';
import type { Logger } from '../core/common/logger';
import { formatDiagnostic, type FileDiagnostic } from '../core/config/diagnostics';
import { CONFIG_DIR, CONFIG_FILE, loadConfig, type ConfigOverrides, type ResolvedConfig } from '../core/config/loadConfig';

/** Reads the `claudePm.*` settings that override `.claude-pm/config.json` for one folder. */
function settingsOverrides(folder: vscode.WorkspaceFolder): ConfigOverrides {
  const s = vscode.workspace.getConfiguration('claudePm', folder.uri);
  const explicit = <T>(key: string): T | undefined => {
    const inspected = s.inspect<T>(key);
    return inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue;
  };
  return {
    environment: explicit('environment'),
    memoryBackend: explicit('memory.backend'),
    memoryUrl: explicit<string>('memory.url') || undefined,
    claudePath: explicit<string>('agents.claudePath') || undefined,
    agentRunner: explicit('agents.runner'),
    maxConcurrentAgents: explicit('agents.maxConcurrent'),
    healthIntervalSeconds: explicit('health.intervalSeconds'),
  };
}

/**
 * The effective configuration of each workspace folder: the file, the settings and the environment merged.
 * Loaded lazily, reloaded when the file or a setting changes; problems go to the Problems panel.
 */
export class WorkspaceConfigs implements vscode.Disposable {
  private readonly cache = new Map<string, Promise<ResolvedConfig>>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(
    private readonly logger: Logger,
    private readonly problems: vscode.DiagnosticCollection,
  ) {
    const watcher = vscode.workspace.createFileSystemWatcher(`**/${CONFIG_DIR}/${CONFIG_FILE}`);
    const invalidate = () => {
      this.cache.clear();
      this.changed.fire();
    };
    this.disposables.push(
      watcher,
      watcher.onDidChange(invalidate),
      watcher.onDidCreate(invalidate),
      watcher.onDidDelete(invalidate),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('claudePm') && invalidate()),
      vscode.workspace.onDidChangeWorkspaceFolders(invalidate),
    );
  }

  /** The folders Claude PM works on. */
  folders(): readonly vscode.WorkspaceFolder[] {
    return vscode.workspace.workspaceFolders ?? [];
  }

  /** The config of `folder`, or of the first folder. Undefined when no folder is open. */
  get(folder: vscode.WorkspaceFolder | undefined = this.folders()[0]): Promise<ResolvedConfig> | undefined {
    if (!folder) return undefined;
    const key = folder.uri.toString();
    let entry = this.cache.get(key);
    if (!entry) {
      entry = loadConfig(folder.uri.fsPath, settingsOverrides(folder)).then(({ config, diagnostics }) => {
        this.report(config.configPath, diagnostics);
        return config;
      });
      this.cache.set(key, entry);
    }
    return entry;
  }

  private report(configPath: string, diagnostics: FileDiagnostic[]): void {
    const uri = vscode.Uri.file(configPath);
    this.problems.set(
      uri,
      diagnostics
        .filter((d) => d.file === configPath)
        .map((d) => {
          const line = Math.max(0, (d.line ?? 1) - 1);
          const diagnostic = new vscode.Diagnostic(new vscode.Range(line, 0, line, 200), `${d.key ? `${d.key}: ` : ''}${d.message}`, d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
          diagnostic.source = 'Claude PM';
          return diagnostic;
        }),
    );
    for (const d of diagnostics) this.logger.warn(formatDiagnostic(d));
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

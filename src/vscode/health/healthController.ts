import * as vscode from 'vscode';
import type { DiagnosticsReport } from '../../core/health/diagnostics';
import { runDiagnostics } from '../../core/health/diagnostics';
import { loadConfig } from '../../core/config/loadConfig';
import type { TemplateTarget } from '../../core/config/schema';
import { frameworkChecks } from '../../core/health/frameworkChecks';
import { optionsFromConfig, runHealthCheck } from '../../core/health/healthCheck';
import { HealthMonitor } from '../../core/health/monitor';
import type { HealthReport, HistoryEntry, OverallStatus } from '../../core/health/reportSchema';
import { appendHistory, hasFrameworkFolder, historyEntry, loadHistory, saveReport } from '../../core/health/reportStore';
import { workspaceDiagnosticSources } from '../../core/health/workspaceSources';
import { readWindowSettings } from '../common/settings';
import type { FeatureContext } from '../featureContext';
import { memoryServiceUrl } from '../../core/security/testAuth';

const STATUS_RANK: Record<OverallStatus, number> = { healthy: 0, degraded: 1, critical: 2 };
/** The first automatic check waits this long so it never competes with editor start-up. */
export const FIRST_CHECK_DELAY_MS = 4000;

/**
 * Owns the health state of the window: runs checks over every workspace folder (never two at once),
 * keeps the last report, the score history and the last diagnostics, and tells listeners when they change.
 */
export class HealthController implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly monitor: HealthMonitor<HealthReport | undefined>;
  private historyLoaded = false;
  private startTimer: ReturnType<typeof setTimeout> | undefined;
  report: HealthReport | undefined;
  history: HistoryEntry[] = [];
  diagnostics: DiagnosticsReport | undefined;
  checking = false;
  /** The configured memory backend of the first folder, known after the first check. */
  memoryBackend: string | undefined;

  /** The check interval: the first folder's resolved `health.intervalMs` (setting, config file, default). */
  private intervalMs = 0;

  constructor(private readonly features: FeatureContext) {
    this.monitor = new HealthMonitor(
      () => this.check(),
      // Known once the first folder's session is built: see `start`.
      0,
      () => !readWindowSettings().healthPauseWhenUnfocused || vscode.window.state.focused,
      (error) => features.logger.error('health check failed:', error as Error),
    );
  }

  /** Starts continuous monitoring; the first check is deferred off the activation path. */
  start(): void {
    // Settings are read after activation returns: the first getConfiguration call in an extension host builds
    // the whole configuration model, which can cost tens of milliseconds.
    this.startTimer = setTimeout(() => {
      void this.updateInterval().finally(() => this.monitor.start(FIRST_CHECK_DELAY_MS));
    }, 0);
  }

  /** Applies the (possibly changed) configured interval to the running schedule. */
  async updateInterval(): Promise<void> {
    const first = this.features.sessions.folders()[0];
    if (!first) return;
    try {
      this.intervalMs = (await this.features.sessions.get(first)).config.health.intervalMs;
      this.monitor.setInterval(this.intervalMs);
    } catch (error) {
      this.features.logger.warn(`health: cannot read the check interval of ${first.name}:`, error as Error);
    }
  }

  /** After the window regains focus: catches up on a check skipped while it was unfocused. */
  refreshIfStale(): void {
    if (!this.report || this.checking || this.intervalMs <= 0) return;
    if (Date.now() - Date.parse(this.report.timestamp) > this.intervalMs) void this.refresh().catch(() => undefined);
  }

  /** Runs a check now, or joins the one in flight. */
  refresh(): Promise<HealthReport | undefined> {
    return this.monitor.runNow();
  }

  private async check(): Promise<HealthReport | undefined> {
    // One report for the window: the first folder's config and report store, every folder's projects.
    const folders = this.features.sessions.folders();
    const first = folders[0];
    if (!first) return undefined;
    this.checking = true;
    this.changed.fire();
    try {
      const { config } = await this.features.sessions.get(first);
      this.memoryBackend = config.memory.backend;
      if (!this.historyLoaded) {
        this.history = await loadHistory(config.workspaceRoot);
        this.historyLoaded = true;
      }
      const extra = folders.slice(1).map((f) => f.uri.fsPath);
      // The CLAUDE.md check reads where Deploy writes, which an editor setting may choose.
      const checks = frameworkChecks({ mode: (root) => this.templateTargetOf(root) });
      const report = await runHealthCheck({ ...(await optionsFromConfig(config, extra, checks)), counts: this.features.counts.snapshot() });
      const previous = this.report;
      this.report = report;
      this.history = (await hasFrameworkFolder(config.workspaceRoot))
        ? await saveReport(config.workspaceRoot, report).catch((error: unknown) => {
            this.features.logger.warn(`could not save the health report: ${(error as Error).message}`);
            return appendHistory(this.history, historyEntry(report));
          })
        : appendHistory(this.history, historyEntry(report));
      this.features.logger.info(`health ${report.summary.overall_health_percentage}% (${report.summary.status}) in ${report.summary.duration_ms} ms`);
      if (previous && STATUS_RANK[report.summary.status] > STATUS_RANK[previous.summary.status]) this.notifyWorse(report);
      return report;
    } finally {
      this.checking = false;
      this.changed.fire();
    }
  }

  /** Where Deploy writes CLAUDE.md for `root`: its folder session's target, or the file's for a project outside the workspace. */
  private async templateTargetOf(root: string): Promise<TemplateTarget> {
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(root));
    return (folder ? (await this.features.sessions.get(folder)).config : (await loadConfig(root)).config).templates.target;
  }

  private notifyWorse(report: HealthReport): void {
    const show = vscode.l10n.t('Show Health');
    const message = vscode.l10n.t('Claude PM health dropped to {0} ({1}%): {2}', report.summary.status, report.summary.overall_health_percentage, report.alerts[0]?.message ?? '');
    const shown = report.summary.status === 'critical' ? vscode.window.showErrorMessage(message, show) : vscode.window.showWarningMessage(message, show);
    void shown.then((choice) => choice === show && vscode.commands.executeCommand('claudePm.health.focus'));
  }

  /** Troubleshoots the memory service and agents of the folder in question (active editor's, only one, or picked). */
  async diagnose(): Promise<DiagnosticsReport | undefined> {
    const folder = await this.features.sessions.resolveFolder(undefined, vscode.l10n.t('Run diagnostics for which folder?'));
    if (!folder) return undefined;
    const { config } = await this.features.sessions.get(folder);
    const apiKey = await this.features.keys.forBackend(config.memory.backend, memoryServiceUrl(config, process.env));
    this.diagnostics = await runDiagnostics({ config, apiKey, ...workspaceDiagnosticSources(config.workspaceRoot, process.env) });
    this.changed.fire();
    return this.diagnostics;
  }

  dispose(): void {
    clearTimeout(this.startTimer);
    this.monitor.stop();
    this.changed.dispose();
  }
}

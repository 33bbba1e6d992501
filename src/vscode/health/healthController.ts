import * as vscode from 'vscode';
import type { DiagnosticsReport } from '../../core/health/diagnostics';
import { runDiagnostics } from '../../core/health/diagnostics';
import { loadConfig } from '../../core/config/loadConfig';
import { frameworkChecks } from '../../core/health/frameworkChecks';
import { optionsFromConfig, runHealthCheck } from '../../core/health/healthCheck';
import { HealthMonitor } from '../../core/health/monitor';
import type { HealthReport, HistoryEntry, OverallStatus } from '../../core/health/reportSchema';
import { appendHistory, hasFrameworkFolder, historyEntry, loadHistory, saveReport } from '../../core/health/reportStore';
import { workspaceDiagnosticSources } from '../../core/health/workspaceSources';
import type { FeatureContext } from '../featureContext';
import { templateTarget } from '../templates/templateContext';

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

  constructor(private readonly features: FeatureContext) {
    this.monitor = new HealthMonitor(
      () => this.check(),
      // Read when monitoring starts, not here: see `start`.
      0,
      () => !pauseWhenUnfocused() || vscode.window.state.focused,
      (error) => features.logger.error('health check failed:', error as Error),
    );
  }

  /** Starts continuous monitoring; the first check is deferred off the activation path. */
  start(): void {
    // Settings are read after activation returns: the first getConfiguration call in an extension host builds
    // the whole configuration model, which can cost tens of milliseconds.
    this.startTimer = setTimeout(() => {
      this.monitor.setInterval(intervalSetting() * 1000);
      this.monitor.start(FIRST_CHECK_DELAY_MS);
    }, 0);
  }

  /** Applies a changed interval setting to the running schedule. */
  updateInterval(): void {
    this.monitor.setInterval(intervalSetting() * 1000);
  }

  /** After the window regains focus: catches up on a check skipped while it was unfocused. */
  refreshIfStale(): void {
    const intervalMs = intervalSetting() * 1000;
    if (!this.report || this.checking || intervalMs <= 0) return;
    if (Date.now() - Date.parse(this.report.timestamp) > intervalMs) void this.refresh().catch(() => undefined);
  }

  /** Runs a check now, or joins the one in flight. */
  refresh(): Promise<HealthReport | undefined> {
    return this.monitor.runNow();
  }

  private async check(): Promise<HealthReport | undefined> {
    const folders = this.features.configs.folders();
    const first = folders[0];
    const configPromise = this.features.configs.get(first);
    if (!first || !configPromise) return undefined;
    this.checking = true;
    this.changed.fire();
    try {
      const config = await configPromise;
      this.memoryBackend = config.memory.backend;
      if (!this.historyLoaded) {
        this.history = await loadHistory(config.workspaceRoot);
        this.historyLoaded = true;
      }
      const extra = folders.slice(1).map((f) => f.uri.fsPath);
      // The CLAUDE.md check reads where Deploy writes, which an editor setting may choose.
      const checks = frameworkChecks({ mode: async (root) => templateTarget(vscode.Uri.file(root), (await loadConfig(root)).config.file.templates?.target) });
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
      this.monitor.setInterval(config.health.intervalMs);
      return report;
    } finally {
      this.checking = false;
      this.changed.fire();
    }
  }

  private notifyWorse(report: HealthReport): void {
    const show = vscode.l10n.t('Show Health');
    const diagnose = vscode.l10n.t('Run Diagnostics');
    const message = vscode.l10n.t('Claude PM health dropped to {0} ({1}%): {2}', report.summary.status, report.summary.overall_health_percentage, report.alerts[0]?.message ?? '');
    const shown = report.summary.status === 'critical' ? vscode.window.showErrorMessage(message, show, diagnose) : vscode.window.showWarningMessage(message, show, diagnose);
    void shown.then((choice) => {
      if (choice === show) void vscode.commands.executeCommand('claudePm.health.showPanel');
      if (choice === diagnose) void vscode.commands.executeCommand('claudePm.health.runDiagnostics');
    });
  }

  /** Troubleshoots the memory service and agents of the first folder. */
  async diagnose(): Promise<DiagnosticsReport | undefined> {
    const folder = this.features.configs.folders()[0];
    const configPromise = this.features.configs.get(folder);
    if (!folder || !configPromise) return undefined;
    const config = await configPromise;
    const service = config.memory.backend === 'mem0-platform' ? 'mem0-platform' : 'mem0';
    const apiKey = config.memory.backend === 'embedded' ? undefined : await this.features.extension.secrets.get(`claudePm.apiKey.${service}`);
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

function intervalSetting(): number {
  return vscode.workspace.getConfiguration('claudePm.health').get<number>('intervalSeconds', 300);
}

function pauseWhenUnfocused(): boolean {
  return vscode.workspace.getConfiguration('claudePm.health').get<boolean>('pauseWhenUnfocused', true);
}

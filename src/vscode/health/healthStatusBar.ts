import * as vscode from 'vscode';
import { readWindowSettings } from '../common/settings';
import type { HealthController } from './healthController';

/** The score in the status bar; clicking it opens the Health view. Hidden until the first check. */
export class HealthStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('claudePm.health', vscode.StatusBarAlignment.Left, 10);
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly controller: HealthController) {
    this.item.name = vscode.l10n.t('Claude PM Health');
    this.item.command = 'claudePm.health.focus';
    this.subscriptions = [controller.onDidChange(() => this.update()), vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('claudePm.health.statusBar') && this.update())];
  }

  private update(): void {
    const report = this.controller.report;
    if (!report || !readWindowSettings().healthStatusBar) {
      this.item.hide();
      return;
    }
    const { overall_health_percentage: score, status } = report.summary;
    this.item.text = `$(${this.controller.checking ? 'sync~spin' : 'pulse'}) ${vscode.l10n.t('Health {0}%', score)}`;
    const alerts = report.alerts.length === 0 ? vscode.l10n.t('no alerts') : report.alerts.length === 1 ? vscode.l10n.t('1 alert') : vscode.l10n.t('{0} alerts', report.alerts.length);
    this.item.tooltip = vscode.l10n.t('Claude PM health {0}% ({1}), {2}. Click to open the Health view.', score, status, alerts);
    this.item.accessibilityInformation = { label: vscode.l10n.t('Claude PM health {0} percent, {1}', score, status) };
    this.item.backgroundColor = status === 'critical' ? new vscode.ThemeColor('statusBarItem.errorBackground') : status === 'degraded' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}

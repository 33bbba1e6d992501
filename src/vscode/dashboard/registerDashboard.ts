import * as vscode from 'vscode';
import { SystemMetricsSampler } from '../../core/health/systemMetrics';
import type { DashboardSnapshot } from '../../shared/protocol';
import type { FeatureContext } from '../featureContext';
import { DashboardPanel, type DashboardSource } from './dashboardPanel';

/** Health data for the dashboard, supplied by the health feature once it has a report. */
export type DashboardHealthSource = () => Pick<DashboardSnapshot, 'health' | 'history' | 'memoryBackend'>;

export function registerDashboard(features: FeatureContext, health: DashboardHealthSource, onHealthChange: vscode.Event<void>): void {
  const sampler = new SystemMetricsSampler();
  const version = String((features.extension.extension.packageJSON as { version?: string }).version ?? '0.0.0');
  const source: DashboardSource = async () => ({
    generatedAt: new Date().toISOString(),
    version,
    counts: features.counts.snapshot(),
    system: sampler.sample(),
    ...health(),
  });
  const changed = new vscode.EventEmitter<void>();
  features.extension.subscriptions.push(
    changed,
    features.counts.onDidChange(() => changed.fire()),
    onHealthChange(() => changed.fire()),
    vscode.commands.registerCommand('claudePm.openDashboard', () => DashboardPanel.show(features.extension.extensionUri, source, features.logger, changed.event)),
  );
}

import * as vscode from 'vscode';
import { SystemMetricsSampler } from '../../core/health/systemMetrics';
import { recordsRunSource, runToGraph, type RunSource } from '../../core/orchestration/runSource';
import type { DashboardSnapshot } from '../../shared/protocol';
import type { FeatureContext } from '../featureContext';
import type { RevealRun } from '../orchestration/registerOrchestration';
import type { RunsController } from '../orchestration/runsController';
import { DashboardPanel, type DashboardFeed } from './dashboardPanel';
import { DashboardRunSource } from './teamRunSource';
import { runsFeed } from '../../shared/runsFeed';

/** Health data for the dashboard, supplied by the health feature once it has a report. */
export type DashboardHealthSource = () => Pick<DashboardSnapshot, 'health' | 'history' | 'memoryBackend'>;

export interface DashboardHealth {
  source: DashboardHealthSource;
  onDidChange: vscode.Event<void>;
}

export interface DashboardRunsInput {
  runs: RunsController;
  revealRun: RevealRun;
  /** Where the Runs card and the cost chart read from; this workspace's run history unless another is given. */
  source?: RunSource;
}

export function registerDashboard(features: FeatureContext, health: DashboardHealth, runs: DashboardRunsInput): void {
  const sampler = new SystemMetricsSampler();
  const version = String((features.extension.extension.packageJSON as { version?: string }).version ?? '0.0.0');
  const source = new DashboardRunSource(features.sessions, runs.source ?? recordsRunSource(() => runs.runs.records()), features.logger);
  const changed = new vscode.EventEmitter<void>();
  const runsChanged = new vscode.EventEmitter<void>();
  const feed: DashboardFeed = {
    snapshot: async () => ({
      generatedAt: new Date().toISOString(),
      version,
      counts: features.counts.snapshot(),
      system: sampler.sample(),
      ...health.source(),
    }),
    runs: async () => runsFeed(source, runToGraph(await runs.runs.records()), new Date()),
    onDidChangeSnapshot: changed.event,
    onDidChangeRuns: runsChanged.event,
    revealRun: runs.revealRun,
  };
  features.extension.subscriptions.push(
    changed,
    source,
    runsChanged,
    runs.runs.onDidChange(() => runsChanged.fire()),
    source.onDidChange(() => runsChanged.fire()),
    features.counts.onDidChange(() => changed.fire()),
    health.onDidChange(() => changed.fire()),
    vscode.commands.registerCommand('claudePm.openDashboard', () => DashboardPanel.show(features.extension.extensionUri, feed, features.logger)),
  );
}

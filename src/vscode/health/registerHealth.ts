import * as vscode from 'vscode';
import { registerDashboard } from '../dashboard/registerDashboard';
import { EmptyTreeProvider } from '../emptyTree';
import type { FeatureContext } from '../featureContext';

export function registerHealth(features: FeatureContext): void {
  const changed = new vscode.EventEmitter<void>();
  features.extension.subscriptions.push(changed, vscode.window.createTreeView('claudePm.health', { treeDataProvider: new EmptyTreeProvider() }));
  registerDashboard(features, () => ({ health: null, history: [], memoryBackend: null }), changed.event);
}

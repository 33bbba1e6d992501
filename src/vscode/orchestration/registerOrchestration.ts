import * as vscode from 'vscode';
import { EmptyTreeProvider } from '../emptyTree';
import type { FeatureContext } from '../featureContext';

export function registerOrchestration(features: FeatureContext): void {
  features.extension.subscriptions.push(
    vscode.window.createTreeView('claudePm.agents', { treeDataProvider: new EmptyTreeProvider() }),
    vscode.window.createTreeView('claudePm.runs', { treeDataProvider: new EmptyTreeProvider() }),
  );
}

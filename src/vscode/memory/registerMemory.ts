import * as vscode from 'vscode';
import { EmptyTreeProvider } from '../emptyTree';
import type { FeatureContext } from '../featureContext';

export function registerMemory(features: FeatureContext): void {
  features.extension.subscriptions.push(vscode.window.createTreeView('claudePm.memory', { treeDataProvider: new EmptyTreeProvider() }));
}

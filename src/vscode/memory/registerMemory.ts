import * as vscode from 'vscode';
import type { FeatureContext } from '../featureContext';
import { registerMemoryCommands } from './memoryCommands';
import { MemoryController, describeStatus } from './memoryController';
import { MemoryCodeActionProvider, MemoryHoverProvider } from './memoryInline';
import { MemoryTreeProvider } from './memoryTree';
import { createTree } from '../common/treeViews';

/**
 * The Memory view, status bar item, hovers, quick fixes and commands. No I/O here: the store is opened by
 * the first tree expansion, hover or command. Returns the controller so others (dashboard) can read
 * `status()` and listen to `onDidChangeStatus`.
 */
export function registerMemory(features: FeatureContext): MemoryController {
  const controller = new MemoryController(features);
  const tree = new MemoryTreeProvider(controller);
  const viewDescription = (status: string) => {
    const folder = features.sessions.folders().length > 1 ? controller.viewFolder()?.name : undefined;
    return [folder, status].filter(Boolean).join(' · ');
  };
  const view = createTree('claudePm.memory', tree);
  const statusItem = vscode.window.createStatusBarItem('claudePm.memory.status', vscode.StatusBarAlignment.Right, 90);
  statusItem.name = vscode.l10n.t('Claude PM Memory');
  statusItem.command = 'claudePm.memory.search';
  controller.onDidChangeStatus((status) => {
    const text = describeStatus(status);
    view.description = viewDescription(text);
    // A bare "embedded" beside the language and the layout says nothing about what is embedded.
    statusItem.text = `$(${status.state === 'down' ? 'warning' : 'database'}) ${vscode.l10n.t('Memory: {0}', text)}`;
    statusItem.tooltip = vscode.l10n.t('Claude PM memory: {0}. Click to search.', text);
    statusItem.backgroundColor = status.state === 'down' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    statusItem.show();
  });
  const selector: vscode.DocumentSelector = [{ scheme: 'file' }, { scheme: 'untitled' }];
  features.extension.subscriptions.push(
    controller,
    tree,
    view,
    controller.onDidChange(() => (view.description = viewDescription(describeStatus(controller.status())))),
    statusItem,
    vscode.languages.registerHoverProvider(selector, new MemoryHoverProvider(controller, features.sessions)),
    vscode.languages.registerCodeActionsProvider(selector, new MemoryCodeActionProvider(controller, features.sessions), { providedCodeActionKinds: MemoryCodeActionProvider.kinds }),
    features.counts.register('memory', () => controller.peek()?.counts() ?? {}),
  );
  registerMemoryCommands(features, controller, tree);
  return controller;
}

import { join } from 'node:path';
import * as vscode from 'vscode';
import { toDashboardHealth, toDashboardHistory } from '../../core/health/dashboardHealth';
import { initLayout } from '../../core/health/layoutCompliance';
import { CONFIG_DIR, CONFIG_FILE } from '../../core/config/loadConfig';
import { registerCommand } from '../commands';
import type { DashboardHealth, DashboardHealthSource } from '../dashboard/registerDashboard';
import type { FeatureContext } from '../featureContext';
import type { MemoryController } from '../memory/memoryController';
import type { TemplatesFeature } from '../templates/registerTemplates';
import { HealthController } from './healthController';
import { HealthStatusBar } from './healthStatusBar';
import { HealthTreeProvider, type HealthNode } from './healthTree';
import { createTree } from '../common/treeViews';

// Registration only: no I/O here. The first check runs a few seconds after start-up or when the view opens.
/** Returns what the dashboard shows of health. */
export function registerHealth(features: FeatureContext, templates: TemplatesFeature, memory: MemoryController): DashboardHealth {
  const controller = new HealthController(features);
  const tree = new HealthTreeProvider(controller, templates, () => features.sessions.folders());
  const view = createTree('claudePm.health', tree);
  const updateBadge = () => {
    const critical = controller.report?.alerts.filter((a) => a.level === 'critical').length ?? 0;
    view.badge = critical ? { value: critical, tooltip: critical === 1 ? vscode.l10n.t('1 critical health alert') : vscode.l10n.t('{0} critical health alerts', critical) } : undefined;
  };
  features.extension.subscriptions.push(
    controller,
    tree,
    view,
    new HealthStatusBar(controller),
    controller.onDidChange(updateBadge),
    view.onDidChangeVisibility((e) => e.visible && !controller.report && !controller.checking && void controller.refresh().catch(() => undefined)),
    features.sessions.onDidChange(() => void controller.updateInterval()),
    vscode.window.onDidChangeWindowState((state) => state.focused && controller.refreshIfStale()),
  );
  controller.start();

  // One command checks everything: the score, the services and compliance, and the memory service and agents
  // the diagnostics troubleshoot. The view shows the outcome; only a failed diagnostic step also says so in a message.
  registerCommand(features, 'claudePm.health.refresh', async () => {
    await vscode.commands.executeCommand('claudePm.health.focus');
    const [, diagnostics] = await vscode.window.withProgress({ location: { viewId: 'claudePm.health' }, title: vscode.l10n.t('Checking health') }, () =>
      // Diagnostics probe the memory service and the agents' CLI: not in Restricted Mode.
      Promise.all([controller.refresh(), vscode.workspace.isTrusted ? controller.diagnose() : undefined]),
    );
    const failed = diagnostics ? [...diagnostics.memory.steps, ...diagnostics.agents.steps].filter((s) => s.status === 'fail') : [];
    if (failed.length) void vscode.window.showWarningMessage(vscode.l10n.t('Claude PM: {0}. {1}', `${failed[0]!.title}: ${failed[0]!.cause ?? failed[0]!.detail}`, failed[0]!.fix ?? ''));
  });
  registerCommand(features, 'claudePm.health.fix', (node: HealthNode) => node.fix && vscode.commands.executeCommand(node.fix.command, ...(node.fix.args ?? [])));
  registerCommand(
    features,
    'claudePm.health.initLayout',
    async (path?: string) => {
      const root = typeof path === 'string' ? path : (await features.sessions.resolveFolder(undefined, vscode.l10n.t('Create the framework folders in which folder?')))?.uri.fsPath;
      if (!root) return;
      const created = await initLayout(root);
      void vscode.window.showInformationMessage(created.length ? vscode.l10n.t('Created {0}.', created.join(', ')) : vscode.l10n.t('The framework folders already exist.'));
      await controller.refresh();
    },
    { permission: 'system.configure' },
  );
  registerCommand(features, 'claudePm.health.openConfig', async (target?: unknown) => {
    const folder = await features.sessions.resolveFolder(target, vscode.l10n.t('Open the configuration of which folder?'));
    if (!folder) return;
    const uri = vscode.Uri.file(join(folder.uri.fsPath, CONFIG_DIR, CONFIG_FILE));
    const exists = await vscode.workspace.fs.stat(uri).then(() => true, () => false);
    if (exists) await vscode.window.showTextDocument(uri);
    else await vscode.commands.executeCommand('claudePm.openSettings');
  });

  const health: DashboardHealthSource = () => {
    const report = controller.report;
    // The memory feature knows its backend best once it is open; until then the last check's view of it.
    const mem0 = report ? Object.values(report.services).find((s) => s.name.startsWith('mem0')) : undefined;
    const live = memory.status();
    const fallback = controller.memoryBackend ? { kind: controller.memoryBackend, state: controller.memoryBackend === 'embedded' ? 'local' : (mem0?.status ?? 'unknown'), queuedWrites: 0 } : null;
    return {
      health: report ? toDashboardHealth(report) : null,
      history: toDashboardHistory(controller.history),
      memoryBackend: live ? { kind: live.kind, state: live.state, queuedWrites: live.queuedWrites } : fallback,
    };
  };
  const changed = new vscode.EventEmitter<void>();
  features.extension.subscriptions.push(changed, controller.onDidChange(() => changed.fire()), memory.onDidChangeStatus(() => changed.fire()));
  return { source: health, onDidChange: changed.event };
}

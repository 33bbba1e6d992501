import * as vscode from 'vscode';
import { inspectDeployment, type DeploymentStatus } from '../../core/templates/inspect';
import type { FeatureContext } from '../featureContext';
import { folderTemplates } from './templateContext';

/**
 * The deployment status of each workspace folder, computed on first request and after a deploy,
 * rollback or config change. The Health tree reads it; counts go to the dashboard.
 */
export class TemplateStatusStore implements vscode.Disposable {
  private readonly cache = new Map<string, Promise<DeploymentStatus>>();
  private readonly latest = new Map<string, DeploymentStatus>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(private readonly features: FeatureContext) {
    // Deploys from the CLI show up as a new operation history; edits as a changed CLAUDE.md in the workspace.
    const watchers = ['**/.claude-pm/parent_directory_manager/logs/operation_history.json', '**/CLAUDE.md'].map((glob) => vscode.workspace.createFileSystemWatcher(glob));
    for (const watcher of watchers) this.disposables.push(watcher, watcher.onDidChange(() => this.invalidate()), watcher.onDidCreate(() => this.invalidate()), watcher.onDidDelete(() => this.invalidate()));
    this.disposables.push(features.configs.onDidChange(() => this.invalidate()), features.counts.register('templates', () => this.counts()));
  }

  status(folder: vscode.WorkspaceFolder): Promise<DeploymentStatus> {
    const key = folder.uri.toString();
    let pending = this.cache.get(key);
    if (!pending) {
      pending = folderTemplates(this.features, folder).then(async (ctx) => inspectDeployment(ctx.root, { master: await ctx.loadMaster(), mode: ctx.mode }));
      this.cache.set(key, pending);
      pending.then(
        (status) => {
          this.latest.set(key, status);
          this.features.counts.notify();
        },
        () => this.cache.delete(key),
      );
    }
    return pending;
  }

  invalidate(): void {
    this.cache.clear();
    this.changed.fire();
  }

  private counts(): Record<string, number> {
    const selected = [...this.latest.values()].map((s) => s.targets.find((t) => t.selected)!);
    return {
      updatesAvailable: selected.filter((t) => t.updateAvailable).length,
      missing: selected.filter((t) => !t.exists).length,
      foreign: selected.filter((t) => t.exists && !t.owned).length,
    };
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

const NOTIFIED_KEY = 'claudePm.templates.updateNotified';

/** Tells the user once per target and template version that a newer CLAUDE.md template is available. */
export async function notifyUpdateOnce(features: FeatureContext, store: TemplateStatusStore): Promise<void> {
  const state = features.extension.workspaceState;
  const notified = new Set(state.get<string[]>(NOTIFIED_KEY, []));
  for (const folder of features.configs.folders()) {
    const target = (await store.status(folder)).targets.find((t) => t.selected && t.updateAvailable);
    const key = target && `${target.path}@${target.templateVersion}`;
    if (!target || !key || notified.has(key)) continue;
    notified.add(key);
    await state.update(NOTIFIED_KEY, [...notified]);
    const deploy = vscode.l10n.t('Deploy…');
    const choice = await vscode.window.showInformationMessage(
      vscode.l10n.t('A newer CLAUDE.md template ({0}) is available for {1} (deployed: {2}).', target.templateVersion, target.path, target.deployedVersion ?? '?'),
      deploy,
    );
    if (choice === deploy) await vscode.commands.executeCommand('claudePm.templates.deploy');
  }
}

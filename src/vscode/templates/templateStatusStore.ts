import * as vscode from 'vscode';
import { inspectDeployment, type DeploymentStatus } from '../../core/templates/inspect';
import type { FeatureContext } from '../featureContext';
import { Disposable } from '../common/lifecycle';
import { PromiseCache } from '../common/promiseCache';
import { folderTemplates } from './templateContext';

/**
 * The deployment status of each workspace folder, computed on first request and after a deploy,
 * rollback or config change. The Health tree reads it; counts go to the dashboard.
 */
export class TemplateStatusStore extends Disposable {
  private readonly cache = new PromiseCache<string, DeploymentStatus>();
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;

  constructor(private readonly features: FeatureContext) {
    super();
    // Deploys from the CLI show up as a new operation history; edits as a changed CLAUDE.md in the workspace.
    for (const glob of ['**/.claude-pm/parent_directory_manager/logs/operation_history.json', '**/CLAUDE.md']) {
      const watcher = this._register(vscode.workspace.createFileSystemWatcher(glob));
      this._register(watcher.onDidChange(() => this.invalidate()));
      this._register(watcher.onDidCreate(() => this.invalidate()));
      this._register(watcher.onDidDelete(() => this.invalidate()));
    }
    this._register(features.sessions.onDidChange(() => this.invalidate()));
    this._register(features.counts.register('templates', () => this.counts()));
  }

  status(folder: vscode.WorkspaceFolder): Promise<DeploymentStatus> {
    let fresh = false;
    const pending = this.cache.get(folder.uri.toString(), async () => {
      fresh = true;
      const ctx = await folderTemplates(this.features, folder);
      return inspectDeployment(ctx.root, { master: await ctx.loadMaster(), mode: ctx.mode });
    });
    // Once a new status is in the cache, the dashboard's counts include it.
    if (fresh) pending.then(() => this.features.counts.notify(), () => undefined);
    return pending;
  }

  invalidate(): void {
    this.cache.delete();
    this.changed.fire();
  }

  private counts(): Record<string, number> {
    const selected = this.cache.values().map((s) => s.targets.find((t) => t.selected)!);
    return {
      updatesAvailable: selected.filter((t) => t.updateAvailable).length,
      missing: selected.filter((t) => !t.exists).length,
      foreign: selected.filter((t) => t.exists && !t.owned).length,
    };
  }

}

const NOTIFIED_KEY = 'claudePm.templates.updateNotified';

/** Tells the user once per target and template version that a newer CLAUDE.md template is available. */
export async function notifyUpdateOnce(features: FeatureContext, store: TemplateStatusStore): Promise<void> {
  const state = features.extension.workspaceState;
  const notified = new Set(state.get<string[]>(NOTIFIED_KEY, []));
  for (const folder of features.sessions.folders()) {
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

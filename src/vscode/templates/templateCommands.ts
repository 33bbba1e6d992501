import * as vscode from 'vscode';
import { deployClaudeMd, type DeployOptions, type DeployResult } from '../../core/templates/deploy';
import { inspectDeployment } from '../../core/templates/inspect';
import { describeBackups, rollbackClaudeMd } from '../../core/templates/rollback';
import { resolveTarget } from '../../core/templates/targets';
import { registerCommand } from '../commands';
import type { FeatureContext } from '../featureContext';
import type { ReadOnlyDocuments } from '../common/readOnlyDocuments';
import { showDeployDiff } from './renderedDocuments';
import { targetLabel } from './templateTreeItems';
import { folderTemplates, pickFolder, type FolderTemplates } from './templateContext';
import type { TemplateStatusStore } from './templateStatusStore';

async function withFolder<T>(features: FeatureContext, run: (ctx: FolderTemplates) => Promise<T>): Promise<T | undefined> {
  const folder = await pickFolder(features);
  if (!folder) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Open a folder to use CLAUDE.md templates.'));
    return undefined;
  }
  return run(await folderTemplates(features, folder));
}

function resultMessage(result: DeployResult): string {
  const removed = result.removed.length ? (result.removed.length === 1 ? vscode.l10n.t(' Removed 1 duplicate copy after backing it up.') : vscode.l10n.t(' Removed {0} duplicate copies after backing them up.', result.removed.length)) : '';
  if (result.action === 'created') return vscode.l10n.t('Deployed {0} (version {1}).', result.target, result.to_version) + removed;
  if (result.action === 'updated') return vscode.l10n.t('Updated {0} from {1} to {2}; the previous file is backed up.', result.target, result.from_version ?? '?', result.to_version) + removed;
  return vscode.l10n.t('{0} is unchanged: {1}', result.target, result.reason ?? '') + removed;
}

async function deploy(ctx: FolderTemplates, documents: ReadOnlyDocuments): Promise<DeployResult | undefined> {
  const base: DeployOptions = { projectRoot: ctx.root, master: await ctx.loadMaster(), mode: ctx.mode, variables: ctx.config.templateVariables, now: new Date() };
  let plan = await deployClaudeMd({ ...base, dryRun: true });
  if (plan.action === 'refused') {
    const showDiff = vscode.l10n.t('Show Diff');
    const choice = await vscode.window.showWarningMessage(vscode.l10n.t('Claude PM did not deploy: {0}.', plan.reason ?? ''), ...(plan.rendered ? [showDiff] : []));
    if (choice === showDiff && plan.rendered) await showDeployDiff(documents, plan.target, true, plan.rendered);
    return plan;
  }
  let force = false;
  if (plan.action === 'unchanged' && plan.removed.length === 0) {
    const redeploy = vscode.l10n.t('Redeploy…');
    if ((await vscode.window.showInformationMessage(vscode.l10n.t('{0} is up to date: {1}', plan.target, plan.reason ?? ''), redeploy)) !== redeploy) return plan;
    force = true;
    plan = await deployClaudeMd({ ...base, dryRun: true, force });
  }
  await showDeployDiff(documents, plan.target, plan.current !== undefined, plan.rendered ?? '');
  const write = vscode.l10n.t('Deploy');
  const detail = plan.current === undefined ? vscode.l10n.t('Creates {0} at version {1}.', plan.target, plan.to_version) : vscode.l10n.t('Replaces version {0} with {1}; the current file is backed up first.', plan.from_version ?? '?', plan.to_version);
  if ((await vscode.window.showInformationMessage(vscode.l10n.t('Deploy the framework CLAUDE.md?'), { modal: true, detail }, write)) !== write) return undefined;
  const result = await deployClaudeMd({ ...base, force });
  void vscode.window.showInformationMessage(resultMessage(result));
  return result;
}

async function check(ctx: FolderTemplates): Promise<void> {
  const status = await inspectDeployment(ctx.root, { master: await ctx.loadMaster(), mode: ctx.mode });
  const items = status.targets.map((t) => ({
    label: `${!t.exists ? '$(circle-slash)' : !t.owned ? '$(lock)' : t.updateAvailable ? '$(arrow-up)' : '$(check)'} ${targetLabel(t.mode)}${t.selected ? vscode.l10n.t(' (deploy target)') : ''}`,
    description: t.path,
    detail: !t.exists
      ? vscode.l10n.t('missing; template version {0}', t.templateVersion)
      : !t.owned
        ? vscode.l10n.t('not managed by the framework: never overwritten')
        : vscode.l10n.t('deployed {0}, template {1}{2}; last deploy {3}; backups: {4}', t.deployedVersion ?? '?', t.templateVersion, t.updateAvailable ? vscode.l10n.t(' (update available)') : '', t.lastDeploy ?? '?', t.backups),
    target: t,
  }));
  const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('CLAUDE.md template {0}', status.template.version), placeHolder: vscode.l10n.t('Pick a target to open it') });
  if (picked?.target.exists) await vscode.window.showTextDocument(vscode.Uri.file(picked.target.path));
}

async function rollback(ctx: FolderTemplates): Promise<boolean> {
  const { path } = await resolveTarget(ctx.root, ctx.mode);
  const backups = await describeBackups(ctx.root, path);
  if (backups.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('There are no backups of {0} yet.', path));
    return false;
  }
  const picked = await vscode.window.showQuickPick(
    backups.map((b) => ({ label: b.date.toLocaleString(), description: b.key, detail: b.version ? vscode.l10n.t('version {0}', b.version) : undefined, backup: b })),
    { title: vscode.l10n.t('Restore {0} from a backup', vscode.workspace.asRelativePath(path)) },
  );
  if (!picked) return false;
  const restore = vscode.l10n.t('Restore');
  if ((await vscode.window.showWarningMessage(vscode.l10n.t('Restore {0} from {1}?', path, picked.label), { modal: true, detail: vscode.l10n.t('The current file is backed up first.') }, restore)) !== restore) return false;
  const result = await rollbackClaudeMd({ projectRoot: ctx.root, mode: ctx.mode, timestamp: picked.backup.key });
  void vscode.window.showInformationMessage(result.changed ? vscode.l10n.t('Restored {0}.', result.target) : vscode.l10n.t('{0} already matches that backup.', result.target));
  return result.changed;
}

export function registerTemplateCommands(features: FeatureContext, documents: ReadOnlyDocuments, store: TemplateStatusStore): void {
  registerCommand(
    features,
    'claudePm.templates.deploy',
    () => withFolder(features, async (ctx) => {
      const result = await deploy(ctx, documents);
      if (result && result.action !== 'refused') store.invalidate();
    }),
    { permission: 'template.deploy', requiresTrust: vscode.l10n.t('Deploying CLAUDE.md') },
  );
  registerCommand(features, 'claudePm.templates.check', () => withFolder(features, check));
  registerCommand(
    features,
    'claudePm.templates.rollback',
    () => withFolder(features, async (ctx) => (await rollback(ctx)) && store.invalidate()),
    { permission: 'template.deploy', requiresTrust: vscode.l10n.t('Restoring CLAUDE.md') },
  );
  registerCommand(features, 'claudePm.templates.openMaster', () =>
    withFolder(features, async (ctx) => {
      await vscode.window.showTextDocument(vscode.Uri.file(ctx.masterPath), { preview: false });
    }),
  );
}

import * as vscode from 'vscode';
import type { TemplateTarget } from '../../core/config/schema';
import type { DeploymentStatus, TargetStatus } from '../../core/templates/inspect';
import { markdownCode } from '../../core/common/markdownText';

/** Where each target mode puts CLAUDE.md, in words (the modes themselves are configuration values). */
export function targetLabel(mode: TemplateTarget): string {
  if (mode === 'parent') return vscode.l10n.t('CLAUDE.md in the parent folder');
  if (mode === 'project') return vscode.l10n.t('CLAUDE.md in this folder');
  return vscode.l10n.t('CLAUDE.md in .claude-pm');
}

function icon(t: TargetStatus): vscode.ThemeIcon {
  if (!t.exists) return new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor(t.selected ? 'problemsWarningIcon.foreground' : 'disabledForeground'));
  if (!t.owned) return new vscode.ThemeIcon('lock');
  if (t.updateAvailable) return new vscode.ThemeIcon('arrow-circle-up', new vscode.ThemeColor('problemsWarningIcon.foreground'));
  return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
}

function state(t: TargetStatus): string {
  if (!t.exists) return vscode.l10n.t('missing');
  if (!t.owned) return vscode.l10n.t('not managed by the framework');
  if (t.updateAvailable) return vscode.l10n.t('{0} → {1} available', t.deployedVersion ?? '?', t.templateVersion);
  return t.contentDiffers ? vscode.l10n.t('{0}, content differs', t.deployedVersion ?? '?') : vscode.l10n.t('{0}, up to date', t.deployedVersion ?? '?');
}

/**
 * One tree item per CLAUDE.md target, for the Health tree's "Templates" node: owned or foreign, deployed vs
 * template version, last deploy and backups. Clicking opens the file, or deploys when it is missing.
 */
export function templateTreeItems(status: DeploymentStatus): vscode.TreeItem[] {
  return status.targets.map((t) => {
    const item = new vscode.TreeItem(targetLabel(t.mode));
    item.description = t.selected ? vscode.l10n.t('deploy target · {0}', state(t)) : state(t);
    item.iconPath = icon(t);
    item.contextValue = `templates.target.${t.exists ? (t.owned ? 'owned' : 'foreign') : 'missing'}`;
    item.tooltip = new vscode.MarkdownString(
      [
        markdownCode(t.path),
        vscode.l10n.t('Deployed version: {0}', t.deployedVersion ?? '—'),
        vscode.l10n.t('Template version: {0}', t.templateVersion),
        vscode.l10n.t('Last deploy: {0}', t.lastDeploy ?? '—'),
        vscode.l10n.t('Backups: {0}', t.backups),
        ...(t.duplicates.length ? [vscode.l10n.t('Duplicates upward: {0}', t.duplicates.map(markdownCode).join(', '))] : []),
      ].join('\n\n'),
    );
    item.command = t.exists
      ? { command: 'vscode.open', title: vscode.l10n.t('Open'), arguments: [vscode.Uri.file(t.path)] }
      : t.selected
        ? { command: 'claudePm.templates.deploy', title: vscode.l10n.t('Deploy CLAUDE.md') }
        : undefined;
    return item;
  });
}

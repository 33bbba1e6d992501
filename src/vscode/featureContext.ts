import * as vscode from 'vscode';
import type { Logger } from '../core/common/logger';
import type { Permission } from '../core/security/permissions';
import type { ApiKeys } from './common/apiKeys';
import type { FolderSessions } from './common/folderSession';

/** Live counts each feature publishes for the dashboard and health report (agents, runs, memory, tickets). */
export class CountsHub implements vscode.Disposable {
  private readonly providers = new Map<string, () => Record<string, number>>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  /** Registers the counts of one area, e.g. 'tickets' → { open: 3, completed: 5 }. */
  register(area: string, provider: () => Record<string, number>): vscode.Disposable {
    this.providers.set(area, provider);
    return new vscode.Disposable(() => this.providers.delete(area));
  }

  /** Tells listeners that an area's counts changed. */
  notify(): void {
    this.changed.fire();
  }

  snapshot(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [area, provider] of this.providers) {
      try {
        out[area] = provider();
      } catch {
        // A failing provider must not break the dashboard; its area is simply absent.
      }
    }
    return out;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** What the composition root hands each feature's `register…` function. */
export interface FeatureContext {
  readonly extension: vscode.ExtensionContext;
  readonly logger: Logger;
  /** One session per workspace folder: its configuration, keys, authorizer, memory, workflows and tickets. */
  readonly sessions: FolderSessions;
  readonly keys: ApiKeys;
  readonly counts: CountsHub;
  /**
   * Checks that the workspace is trusted before running agents, commands or workflows.
   * Returns false, and tells the user why, in Restricted Mode.
   */
  requireTrust(action: string): boolean;
  /**
   * Checks the actor's permission in the folder the command acts on (see `FolderSessions.resolveFolder`);
   * returns false, tells the user and audits the denial when missing.
   */
  authorize(permission: Permission, action: string, target?: string): Promise<boolean>;
}

export function requireWorkspaceTrust(action: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window
    .showWarningMessage(vscode.l10n.t('{0} is disabled in Restricted Mode. Trust this workspace to allow it.', action), vscode.l10n.t('Manage Workspace Trust'))
    .then((choice) => choice && vscode.commands.executeCommand('workbench.trust.manage'));
  return false;
}

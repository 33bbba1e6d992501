import * as vscode from 'vscode';
import type { Permission } from '../core/security/permissions';
import type { FeatureContext } from './featureContext';

export interface CommandGuards {
  /** Checked before the handler runs; a denial is shown and audited. */
  permission?: Permission;
  /** Refused in Restricted Mode, with this description of what was refused (e.g. "Running an agent"). */
  requiresTrust?: string;
}

// Restricted Mode is read-only: every command that needs a changing permission is refused there, so tickets,
// memory, templates and policy stay as the cloned repository left them.
function changeDescription(permission: Permission): string | undefined {
  switch (permission) {
    case 'memory.read':
    case 'health.check':
      return undefined;
    case 'memory.write':
      return vscode.l10n.t('Changing memory');
    case 'ticket.write':
      return vscode.l10n.t('Changing tickets');
    case 'template.deploy':
      return vscode.l10n.t('Deploying CLAUDE.md');
    case 'workflow.run':
      return vscode.l10n.t('Running a workflow');
    case 'task.delegate':
      return vscode.l10n.t('Running an agent');
    case 'agent.create':
    case 'agent.delete':
      return vscode.l10n.t('Changing agents');
    case 'system.configure':
      return vscode.l10n.t('Changing the configuration');
  }
}

/**
 * Registers a command with its guards and error handling: the handler's errors are logged and shown
 * with a "Show Log" action instead of vanishing. Returns nothing: the disposable goes to the extension.
 */
export function registerCommand(features: FeatureContext, id: string, handler: (...args: never[]) => unknown, guards: CommandGuards = {}): void {
  features.extension.subscriptions.push(
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      const refusedWhenRestricted = guards.requiresTrust ?? (guards.permission && changeDescription(guards.permission));
      if (refusedWhenRestricted && !features.requireTrust(refusedWhenRestricted)) return undefined;
      try {
        const run = async () => {
          if (guards.permission && !(await features.authorize(guards.permission, id))) return undefined;
          return (handler as (...a: unknown[]) => unknown)(...args);
        };
        // A guarded command settles its folder first (item, active editor, only folder or the user's pick),
        // so that the permission is checked where the handler acts.
        const folder = guards.permission ? await features.sessions.resolveFolder(args[0]) : undefined;
        if (guards.permission && !folder && features.sessions.folders().length > 0) return undefined;
        return await (folder ? features.sessions.runFor(folder, run) : run());
      } catch (error) {
        features.logger.error(`${id} failed:`, error as Error);
        void vscode.window.showErrorMessage((error as Error).message, vscode.l10n.t('Show Log')).then((choice) => choice && vscode.commands.executeCommand('claudePm.showLog'));
        return undefined;
      }
    }),
  );
}

import * as vscode from 'vscode';
import { BUILT_IN_ROLES, loadPolicy, resolveActor } from '../../core/security/policy';
import { assignRole } from '../../core/security/policyEdit';
import type { FeatureContext } from '../featureContext';

/** Gives a teammate a role in the acting folder's `.claude-pm/policy.json` (creating it makes the actor admin). */
export async function assignRoleCommand(features: FeatureContext): Promise<void> {
  const folder = await features.sessions.resolveFolder(undefined, vscode.l10n.t('Assign a role in which folder\'s policy?'));
  if (!folder) return;
  const root = folder.uri.fsPath;
  const email = await vscode.window.showInputBox({
    title: vscode.l10n.t('Assign Role'),
    prompt: vscode.l10n.t('The teammate\'s git user.email'),
    validateInput: (value) => (/^\S+@\S+$/.test(value.trim()) ? undefined : vscode.l10n.t('Enter an email address.')),
  });
  if (!email) return;
  const policy = await loadPolicy(root);
  const roles = [...new Set([...Object.keys(BUILT_IN_ROLES), ...Object.keys(policy?.roles ?? {})])];
  const role = await vscode.window.showQuickPick(roles, { placeHolder: vscode.l10n.t('Role for {0}', email.trim()) });
  if (!role) return;
  const { previous, created } = await assignRole(root, await resolveActor(root, {}), email, role, (await features.sessions.get(folder)).auditLog());
  void vscode.window.showInformationMessage(
    created
      ? vscode.l10n.t('Created the team policy: {0} is {1}, and you are admin.', email.trim(), role)
      : vscode.l10n.t('{0} is now {1} (was {2}).', email.trim(), role, previous ?? vscode.l10n.t('the default role')),
  );
}

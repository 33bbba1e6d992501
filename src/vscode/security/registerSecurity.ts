import * as vscode from 'vscode';
import { AuthLockout, lockoutOptionsFromEnv, lockoutStateFile } from '../../core/security/lockout';
import { registerCommand } from '../commands';
import { ReadOnlyDocuments } from '../common/readOnlyDocuments';
import type { FeatureContext } from '../featureContext';
import { clearApiKeyCommand, generateKeyCommand, setApiKeyCommand, setDatabaseUrlCommand } from './apiKeyCommands';
import { assignRoleCommand } from './policyCommands';
import { showAuditLogCommand, testAuthCommand, validateCommand, verifyAuditLogCommand } from './reportCommands';
import { recordSecurityEvent } from './securityEvents';

/** API keys in SecretStorage, the team policy, the security check and the audit log. Registration only: no I/O until a command runs. */
export function registerSecurity(features: FeatureContext): void {
  const changingKeys = vscode.l10n.t('Changing API keys');
  registerCommand(features, 'claudePm.security.generateKey', () => generateKeyCommand(features), { permission: 'system.configure', requiresTrust: changingKeys });
  registerCommand(features, 'claudePm.security.setApiKey', () => setApiKeyCommand(features), { permission: 'system.configure', requiresTrust: changingKeys });
  registerCommand(features, 'claudePm.security.setDatabaseUrl', () => setDatabaseUrlCommand(features), { permission: 'system.configure', requiresTrust: changingKeys });
  registerCommand(features, 'claudePm.security.clearApiKey', () => clearApiKeyCommand(features), { permission: 'system.configure', requiresTrust: changingKeys });
  registerCommand(features, 'claudePm.security.assignRole', () => assignRoleCommand(features), { permission: 'system.configure', requiresTrust: vscode.l10n.t('Changing the team policy') });
  const reports = new ReadOnlyDocuments('claude-pm-report');
  features.extension.subscriptions.push(reports);
  registerCommand(features, 'claudePm.security.validate', () => validateCommand(features, reports));
  let lockout: AuthLockout | undefined;
  const sessionLockout = () => (lockout ??= new AuthLockout({ ...lockoutOptionsFromEnv(process.env), stateFile: lockoutStateFile(process.env), onEvent: (event) => void recordSecurityEvent(features, event) }));
  // Sending the stored key to the URL in the folder's config is for trusted folders only.
  registerCommand(features, 'claudePm.security.testAuth', () => testAuthCommand(features, sessionLockout()), { requiresTrust: vscode.l10n.t('Testing the API key') });
  registerCommand(features, 'claudePm.security.showAuditLog', () => showAuditLogCommand(features));
  registerCommand(features, 'claudePm.security.verifyAuditLog', () => verifyAuditLogCommand(features));
}

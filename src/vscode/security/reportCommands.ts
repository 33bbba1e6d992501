import * as vscode from 'vscode';
import { isMem0Backend } from '../../core/config/schema';
import { maskKey } from '../../core/security/apiKeys';
import { AUDIT_LOG_PATH, verifyAuditLog } from '../../core/security/auditLog';
import { describeAccess } from '../../core/security/policy';
import { describeVerification, securityReportMarkdown } from '../../core/security/reportMarkdown';
import type { AuthLockout } from '../../core/security/lockout';
import { memoryServiceUrl, testAuthentication } from '../../core/security/testAuth';
import { validateSecurity } from '../../core/security/validateSecurity';
import type { ReadOnlyDocuments } from '../common/readOnlyDocuments';
import type { FeatureContext } from '../featureContext';
import { editorAuditTrust } from './auditTrust';

async function pickFolder(features: FeatureContext): Promise<vscode.WorkspaceFolder | undefined> {
  const folder = await features.sessions.resolveFolder(undefined, vscode.l10n.t('Check which folder?'));
  if (!folder && features.sessions.folders().length === 0) void vscode.window.showInformationMessage(vscode.l10n.t('Open a folder to use Claude PM security checks.'));
  return folder;
}

/** Checks key, transport, policy and audit chain and shows the findings as a Markdown preview. */
export async function validateCommand(features: FeatureContext, reports: ReadOnlyDocuments): Promise<void> {
  const folder = await pickFolder(features);
  if (!folder) return;
  const { config } = await features.sessions.get(folder);
  // Checked, not sent: the report needs the key's shape, not the service's answer.
  const key = isMem0Backend(config.memory.backend) ? await features.keys.get(config.memory.backend) : undefined;
  const [report, access] = await Promise.all([validateSecurity(config, key, process.env), describeAccess(folder.uri.fsPath, {})]);
  // A rendered, read-only preview: an Untitled document would ask to be saved when closed.
  const uri = reports.show(`/${folder.name} security report.md`, securityReportMarkdown(report, access, key && maskKey(key)));
  await vscode.commands.executeCommand('markdown.showPreview', uri);
  if (!report.ok) void vscode.window.showWarningMessage(vscode.l10n.t('The security check found problems in {0}.', folder.name));
}

/** One authenticated request to the configured memory service with the stored key; counted by the session's lockout. */
export async function testAuthCommand(features: FeatureContext, lockout: AuthLockout): Promise<void> {
  const folder = await pickFolder(features);
  if (!folder) return;
  const { config } = await features.sessions.get(folder);
  const backend = config.memory.backend;
  if (!isMem0Backend(backend)) {
    void vscode.window.showInformationMessage(
      backend === 'postgres' ? vscode.l10n.t('The team database authenticates its users itself; no API key is involved.') : vscode.l10n.t('The embedded memory store needs no authentication.'),
    );
    return;
  }
  const apiKey = await features.keys.forBackend(backend, memoryServiceUrl(config, process.env));
  if (!apiKey) {
    const set = vscode.l10n.t('Set API Key');
    const choice = await vscode.window.showWarningMessage(vscode.l10n.t('No API key is stored for {0}.', backend), set);
    if (choice === set) await vscode.commands.executeCommand('claudePm.security.setApiKey');
    return;
  }
  const probe = { backend, baseUrl: memoryServiceUrl(config, process.env), apiKey, verifyTls: config.memory.verifyTls, timeoutMs: config.memory.timeoutMs, userId: config.memory.userId };
  const result = await testAuthentication(probe, lockout);
  const text = vscode.l10n.t('{0} ({1}): {2}', result.outcome, maskKey(apiKey), result.message);
  if (result.outcome === 'authenticated') void vscode.window.showInformationMessage(text);
  else void vscode.window.showErrorMessage(text);
}

export async function showAuditLogCommand(features: FeatureContext): Promise<void> {
  const folder = await pickFolder(features);
  if (!folder) return;
  const uri = vscode.Uri.joinPath(folder.uri, ...AUDIT_LOG_PATH.split(/[\\/]/));
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    void vscode.window.showInformationMessage(vscode.l10n.t('No security events have been recorded in {0} yet.', folder.name));
    return;
  }
  await vscode.window.showTextDocument(uri, { preview: true });
}

/** Verifies the chain and, when broken, offers to open the log at the first broken line. */
export async function verifyAuditLogCommand(features: FeatureContext): Promise<void> {
  const folder = await pickFolder(features);
  if (!folder) return;
  const uri = vscode.Uri.joinPath(folder.uri, ...AUDIT_LOG_PATH.split(/[\\/]/));
  const result = await verifyAuditLog(uri.fsPath, { trust: editorAuditTrust() });
  if (result.empty) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No security events have been recorded in {0} yet.', folder.name));
    return;
  }
  if (result.ok) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Audit log of {0}: {1}.', folder.name, describeVerification(result)));
    return;
  }
  // Truncation and deletion have no line to show; an edited or missing entry does.
  const message = vscode.l10n.t('The audit log of {0} was tampered with or damaged: {1}', folder.name, describeVerification(result));
  if (result.firstBrokenLine === undefined || !result.brokenFile) {
    void vscode.window.showErrorMessage(message);
    return;
  }
  const show = vscode.l10n.t('Show Line');
  if ((await vscode.window.showErrorMessage(message, show)) !== show) return;
  const line = result.firstBrokenLine - 1;
  await vscode.window.showTextDocument(vscode.Uri.file(result.brokenFile), { selection: new vscode.Range(line, 0, line, 0) });
}

import * as vscode from 'vscode';
import type { AuditEvent } from '../../core/security/auditLog';
import { resolveActor } from '../../core/security/policy';
import type { FeatureContext } from '../featureContext';

/** Appends an event to the acting folder's (or `acting`'s) audit log as the folder's git user; failures are logged, not thrown. */
export async function recordSecurityEvent(features: FeatureContext, event: Omit<AuditEvent, 'actor'> & { actor?: string }, acting?: vscode.WorkspaceFolder): Promise<void> {
  const folder = acting ?? (await features.sessions.resolveFolder(undefined, vscode.l10n.t('Record this security event in which folder\'s audit log?')));
  if (!folder) return;
  try {
    const actor = await resolveActor(folder.uri.fsPath, {});
    await (await features.sessions.get(folder)).auditLog().append({ ...event, actor });
  } catch (error) {
    features.logger.warn(`could not write the audit log: ${(error as Error).message}`);
  }
}

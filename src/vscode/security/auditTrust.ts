import type * as vscode from 'vscode';
import { userConfigDir } from '../../core/common/userConfigDir';
import { AUDIT_KEY_ENV, fileKeyringStorage, mergeKeyrings, userAuditTrust, type AuditTrust, type KeyringStorage } from '../../core/security/auditKeys';

const SECRET_KEY = 'claudePm.audit.keyring';

let trust: AuditTrust | undefined;

/**
 * Keeps the audit keyring in the editor's secret storage. The CLI's key file (in the user's config folder, outside
 * every workspace) holds the same keyring, so the editor and the CLI seal one chain and each can verify the other's
 * entries: reads merge both copies, writes update both. A key in CLAUDE_PM_AUDIT_KEY wins, as in the CLI.
 */
export function useEditorAuditTrust(secrets: vscode.SecretStorage, env: NodeJS.ProcessEnv = process.env): void {
  if (env[AUDIT_KEY_ENV]?.trim()) {
    trust = userAuditTrust(env);
    return;
  }
  const file = fileKeyringStorage(userConfigDir(env));
  const where = "the editor's secret storage";
  const storage: KeyringStorage = {
    where,
    read: async () => mergeKeyrings(await secrets.get(SECRET_KEY), await file.read(), where),
    write: async (text) => {
      await secrets.store(SECRET_KEY, text);
      await file.write(text);
    },
  };
  trust = userAuditTrust(env, storage);
}

/** The trust every audit log of the editor uses: the secret-storage keyring once activation has set it up. */
export function editorAuditTrust(): AuditTrust {
  return (trust ??= userAuditTrust(process.env));
}

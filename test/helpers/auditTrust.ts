import { userAuditTrust, type AuditTrust } from '../../src/core/security/auditKeys';
import { tempDir } from './tempDir';

/** A user config folder of its own (keys, anchors) and the trust over it, so tests never touch the user's. */
export async function testTrust(): Promise<{ trust: AuditTrust; env: NodeJS.ProcessEnv; dir: string }> {
  const dir = await tempDir('claude-pm-user-');
  const env = { CLAUDE_PM_CONFIG_DIR: dir };
  return { trust: userAuditTrust(env), env, dir };
}

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../common/atomicFile';
import { AuditLog } from './auditLog';
import { parsePolicy, POLICY_PATH, type Policy } from './policy';

export interface RoleAssignment {
  policy: Policy;
  /** The role the user had before, undefined when they had no entry. */
  previous?: string;
  /** True when this created the policy file. */
  created: boolean;
}

/**
 * Sets `users[email] = role` in `.claude-pm/policy.json`, keeping every other key, and audits it as config_change.
 * Creating the file starts a team policy: the acting user becomes admin so they do not lock themselves out.
 */
export async function assignRole(workspaceRoot: string, actor: string, email: string, role: string, audit: AuditLog = AuditLog.forWorkspace(workspaceRoot)): Promise<RoleAssignment> {
  const file = join(workspaceRoot, POLICY_PATH);
  let raw: Record<string, unknown>;
  let created = false;
  try {
    const text = await readFile(file, 'utf8');
    parsePolicy(file, text);
    raw = JSON.parse(text.replace(/^\uFEFF/, '')) as Record<string, unknown>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    raw = { default_role: 'developer', users: { [actor]: 'admin' }, roles: {} };
    created = true;
  }
  const users = { ...((raw.users as Record<string, string> | undefined) ?? {}) };
  const existing = Object.keys(users).find((user) => user.toLowerCase() === email.trim().toLowerCase());
  const previous = existing === undefined ? undefined : users[existing];
  users[existing ?? email.trim()] = role;
  const next = { ...raw, users };
  // Validate before writing: an unknown role must not reach the file.
  const policy = parsePolicy(file, JSON.stringify(next));
  await writeJsonAtomic(file, next);
  await audit.append({ event: 'config_change', actor, action: 'assign role', target: email.trim(), details: { file: POLICY_PATH, role, previous: previous ?? null, created } });
  return { policy, previous, created };
}

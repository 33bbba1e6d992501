import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { parseJsonText } from '../config/diagnostics';
import { AuditLog, type AuditEvent } from './auditLog';
import { PERMISSIONS, PermissionDeniedError, type Authorizer, type Permission } from './permissions';
import { ownValue } from '../common/ownKeys';
import { gitClient } from '../common/processGate';

// The team policy `.claude-pm/policy.json`: who has which role. Without the file everyone is admin, so a solo
// user is never blocked; with it, every changing command checks the actor's role first.

export const POLICY_PATH = join('.claude-pm', 'policy.json');

export const BUILT_IN_ROLES = {
  admin: [...PERMISSIONS],
  // The seed's developer (agent.create, memory.*, task.delegate) plus the everyday work of a project.
  developer: ['agent.create', 'task.delegate', 'workflow.run', 'memory.read', 'memory.write', 'template.deploy', 'ticket.write', 'health.check'],
  viewer: ['memory.read', 'health.check'],
} as const satisfies Record<string, readonly Permission[]>;

const permissionSchema = z.enum(PERMISSIONS);

export const policySchema = z
  .object({
    default_role: z.string().min(1).default('developer'),
    /** git user.email → role; emails compare case-insensitively. */
    users: z.record(z.string().min(1), z.string().min(1)).default({}),
    /** Custom roles, or replacements of built-in ones, as permission lists. */
    roles: z.record(z.string().min(1), z.array(permissionSchema)).default({}),
  })
  .passthrough()
  .superRefine((policy, ctx) => {
    const known = new Set([...Object.keys(BUILT_IN_ROLES), ...Object.keys(policy.roles)]);
    const unknownRole = (role: string, path: (string | number)[]) =>
      !known.has(role) && ctx.addIssue({ code: 'custom', path, message: `unknown role "${role}"; define it under "roles" or use admin, developer or viewer` });
    unknownRole(policy.default_role, ['default_role']);
    for (const [user, role] of Object.entries(policy.users)) unknownRole(role, ['users', user]);
  });
export type Policy = z.infer<typeof policySchema>;

/** A policy file that exists but cannot be used; checks fail closed until it is fixed. */
export class PolicyError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}. Changes are refused until the policy is fixed.`);
    this.name = 'PolicyError';
  }
}

/** The workspace policy, or undefined when there is none. Throws PolicyError when it is malformed. */
export async function loadPolicy(workspaceRoot: string): Promise<Policy | undefined> {
  const file = join(workspaceRoot, POLICY_PATH);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new PolicyError(file, `cannot be read (${(error as Error).message})`);
  }
  return parsePolicy(file, text);
}

export function parsePolicy(file: string, text: string): Policy {
  const parsed = parseJsonText(text);
  if (!parsed.ok) throw new PolicyError(file, `not valid JSON${parsed.line ? ` at line ${parsed.line}, column ${parsed.column}` : ''} (${parsed.message})`);
  const result = policySchema.safeParse(parsed.value);
  if (!result.success) {
    throw new PolicyError(file, result.error.issues.map((i) => `${i.path.join('.') || 'root'}: ${i.message}`).join('; '));
  }
  return result.data;
}

/** The role of `actor` under `policy`: their entry in `users`, else `default_role`. */
export function roleOf(policy: Policy, actor: string): string {
  const wanted = actor.trim().toLowerCase();
  const match = Object.entries(policy.users).find(([user]) => user.trim().toLowerCase() === wanted);
  return match ? match[1] : policy.default_role;
}

/** The permissions of `role`; custom definitions win over built-in ones of the same name. */
export function permissionsOf(policy: Policy, role: string): readonly Permission[] {
  return ownValue(policy.roles, role) ?? ownValue<readonly Permission[]>(BUILT_IN_ROLES, role) ?? [];
}

/** Who is acting: `CLAUDE_PM_ACTOR` when given, else the workspace's git `user.email`, else the OS user. */
export async function resolveActor(workspaceRoot: string, env: NodeJS.ProcessEnv): Promise<string> {
  const explicit = env.CLAUDE_PM_ACTOR?.trim();
  if (explicit) return explicit;
  try {
    const { value } = await gitClient({ baseDir: workspaceRoot }).getConfig('user.email');
    if (value?.trim()) return value.trim();
  } catch {
    // Not a git repository or no git: fall through to the OS user.
  }
  return userInfo().username;
}

export interface AccessSummary {
  actor: string;
  role: string;
  permissions: readonly Permission[];
  /** False when there is no policy file: everyone is admin. */
  policyFile: boolean;
}

/** The actor's role and permissions in a workspace (for `security whoami` and the extension's report). */
export async function describeAccess(workspaceRoot: string, env: NodeJS.ProcessEnv): Promise<AccessSummary> {
  const policy = await loadPolicy(workspaceRoot);
  const actor = await resolveActor(workspaceRoot, env);
  if (!policy) return { actor, role: 'admin', permissions: BUILT_IN_ROLES.admin, policyFile: false };
  const role = roleOf(policy, actor);
  return { actor, role, permissions: permissionsOf(policy, role), policyFile: true };
}

/**
 * The permission check for a workspace. The policy is read on every check so edits apply at once; the actor
 * (a git call) is resolved only when a policy exists. Denials are appended to the audit log before throwing.
 */
export async function createWorkspaceAuthorizer(workspaceRoot: string, env: NodeJS.ProcessEnv, audit: AuditLog = AuditLog.forWorkspace(workspaceRoot, { env })): Promise<Authorizer> {
  let actor: Promise<string> | undefined;
  return {
    async require(permission: Permission, action: string, target?: string): Promise<void> {
      let policy: Policy | undefined;
      try {
        policy = await loadPolicy(workspaceRoot);
      } catch (error) {
        const who = await (actor ??= resolveActor(workspaceRoot, env));
        await recordDenial(audit, { event: 'permission_denied', actor: who, action, target, details: { permission, reason: (error as Error).message } });
        throw error;
      }
      if (!policy) return;
      const who = await (actor ??= resolveActor(workspaceRoot, env));
      const role = roleOf(policy, who);
      if (permissionsOf(policy, role).includes(permission)) return;
      await recordDenial(audit, { event: 'permission_denied', actor: who, action, target, details: { permission, role } });
      throw new PermissionDeniedError(who, role, permission, action);
    },
  };
}

// A denial stands even when the audit log cannot be written (read-only disk, lock held): the refusal matters more.
async function recordDenial(audit: AuditLog, event: AuditEvent): Promise<void> {
  try {
    await audit.append(event);
  } catch {
    // The caller refuses either way.
  }
}

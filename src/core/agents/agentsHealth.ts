import { homedir } from 'node:os';
import type { ComplianceCheck, ComplianceItem } from '../common/compliance';
import { countOf } from '../common/plural';
import type { FileDiagnostic } from '../config/diagnostics';
import { loadConfig } from '../config/loadConfig';
import { probeClaudeCli, type ClaudeCliInfo } from './claudeRunnerLocate';
import { CORE_AGENT_TYPES } from './agentTypes';
import { AGENT_TIERS, discoverAgents, type AgentTier } from './discoverAgents';
import { defaultSystemAgentsDir } from './systemAgents';

// What health and the dashboard learn about agents: how many each tier provides, what is broken, and
// whether the Claude Code CLI is there to run them.

export interface AgentsDiagnosticsReport {
  /** Agents that win, per tier. */
  perTier: Record<AgentTier, number>;
  shadowed: number;
  missingCoreTypes: string[];
  problems: FileDiagnostic[];
  claude: ClaudeCliInfo;
  /** Which runner executes agents: the command runner needs no Claude Code CLI. */
  runner: 'claude' | 'command';
}

export interface AgentsHealthOptions {
  homeDir?: string;
  systemDir?: string;
  /** The configured CLI; defaults to the project's resolved `agents.claudePath`. */
  claudePath?: string;
  env?: NodeJS.ProcessEnv;
}

export async function collectAgentsDiagnostics(projectRoot: string, options: AgentsHealthOptions = {}): Promise<AgentsDiagnosticsReport> {
  const env = options.env ?? process.env;
  const agents = (await loadConfig(projectRoot, {}, env)).config.agents;
  const claudePath = options.claudePath ?? agents.claudePath;
  const [catalog, claude] = await Promise.all([
    discoverAgents({ projectRoot, homeDir: options.homeDir ?? (env.HOME || homedir()), systemDir: options.systemDir ?? defaultSystemAgentsDir() }),
    probeClaudeCli(claudePath, env, projectRoot),
  ]);
  const perTier = Object.fromEntries(AGENT_TIERS.map((t) => [t, 0])) as Record<AgentTier, number>;
  for (const agent of catalog.agents) perTier[agent.tier]++;
  const types = new Set(catalog.agents.map((a) => a.type));
  return {
    perTier,
    shadowed: catalog.agents.reduce((n, a) => n + a.shadows.length, 0),
    missingCoreTypes: CORE_AGENT_TYPES.filter((t) => !types.has(t)),
    problems: catalog.diagnostics,
    claude,
    runner: agents.runner,
  };
}

export function agentsComplianceItems(report: AgentsDiagnosticsReport): ComplianceItem[] {
  const errors = report.problems.filter((p) => p.severity === 'error');
  const total = report.perTier.project + report.perTier.user + report.perTier.system;
  return [
    {
      id: 'agents.resolvable',
      title: 'Core agents resolve',
      passed: report.missingCoreTypes.length === 0,
      severity: 'error',
      detail: report.missingCoreTypes.length ? `No definition for: ${report.missingCoreTypes.join(', ')}` : `${total} agents (project ${report.perTier.project}, user ${report.perTier.user}, system ${report.perTier.system})`,
      fixHint: 'Add the missing role files under .claude-pm/agents/project-specific/ or reinstall the extension.',
      fixCommand: 'claudePm.agents.refresh',
    },
    {
      id: 'agents.files-valid',
      title: 'Agent files are valid',
      passed: errors.length === 0,
      severity: 'warning',
      detail: errors.length ? `${countOf(errors.length, 'agent file')} cannot be used, e.g. ${errors[0]!.file}: ${errors[0]!.message}` : 'Every agent file parses',
      fixHint: 'Fix the files named in the Problems list (frontmatter YAML, size, permissions).',
    },
    claudeCliItem(report),
  ];
}

function claudeCliItem(report: AgentsDiagnosticsReport): ComplianceItem {
  const base = { id: 'agents.claude-cli', title: 'Claude Code CLI available' };
  const usable = report.claude.found && !report.claude.error;
  if (!usable && report.runner === 'command') {
    return { ...base, passed: true, severity: 'info', detail: 'not needed: agents.runner is "command", so agents run the shell commands configured for them' };
  }
  return {
    ...base,
    passed: usable,
    severity: 'warning',
    detail: report.claude.found ? (report.claude.error ?? `${report.claude.path} ${report.claude.version ?? ''}`.trim()) : (report.claude.error ?? 'not found'),
    fixHint: 'Install it with `npm install -g @anthropic-ai/claude-code` or set claudePm.agents.claudePath; the command runner works without it.',
  };
}

/** Framework compliance for agents: core agents resolvable, files valid, the Claude Code CLI found. */
export const agentsCompliance: ComplianceCheck = async (projectRoot) => agentsComplianceItems(await collectAgentsDiagnostics(projectRoot));

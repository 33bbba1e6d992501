import { agentRunRequest } from '../agents/agentPrompt';
import { findAgent, type AgentCatalog } from '../agents/discoverAgents';
import { runShellCommand } from '../agents/commandRunner';
import type { StepRunners } from './engine';
import type { AgentRunner, RunRequest } from '../agents/runner';
import { ownValue } from '../common/ownKeys';

/** Runs a workflow's `command` step: the request's task is the shell command line itself. */
export function shellStepRunner(env: NodeJS.ProcessEnv = process.env, graceMs?: number): AgentRunner {
  return {
    kind: 'shell',
    run: (request) =>
      runShellCommand({
        command: request.task,
        cwd: request.cwd,
        env: { ...env, ...request.env },
        timeoutMs: request.timeoutMs,
        signal: request.signal,
        onEvent: request.onEvent,
        graceMs,
      }),
  };
}

/**
 * The runners of a workflow run: `command` steps go to the shell; agent steps go to `agentRunner` (the
 * Claude CLI or the configured command templates) with the agent's role prompt, model and tools from the
 * catalog when it knows the agent type. `pools` replace the runner for the agent types they serve.
 */
export function workflowStepRunners(options: { agentRunner: AgentRunner; catalog?: AgentCatalog; env?: NodeJS.ProcessEnv; pools?: Record<string, AgentRunner> }): StepRunners {
  const shell = shellStepRunner(options.env);
  const byType = new Map<string, AgentRunner>();
  return {
    forCommand: () => shell,
    forAgent: (agentType) => {
      let runner = byType.get(agentType);
      if (!runner) {
        runner = withAgentProfile(ownValue(options.pools, agentType) ?? options.agentRunner, options.catalog, agentType);
        byType.set(agentType, runner);
      }
      return runner;
    },
  };
}

function withAgentProfile(base: AgentRunner, catalog: AgentCatalog | undefined, agentType: string): AgentRunner {
  const agent = catalog && findAgent(catalog, agentType);
  if (!agent) return base;
  return {
    kind: base.kind,
    run: (request: RunRequest) => {
      const profile = agentRunRequest(catalog!, agent, { task: request.task, cwd: request.cwd });
      return base.run({ ...request, agentType: agent.type, task: profile.task, systemPrompt: profile.systemPrompt, model: profile.model, allowedTools: profile.allowedTools });
    },
  };
}

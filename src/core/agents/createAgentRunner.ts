import type { ResolvedConfig } from '../config/loadConfig';
import { ClaudeRunner, type ClaudePermissionMode } from './claudeRunner';
import { CommandRunner } from './commandRunner';
import type { AgentRunner } from './runner';
import type { ToolServerCommand } from './toolServer';

export type RunnerKind = 'claude' | 'command';

export interface RunnerSettings {
  kind: RunnerKind;
  claudePath: string;
  /** Command templates by agent type, for the command runner. */
  commands: Record<string, string>;
  /** The environment children inherit. */
  env?: NodeJS.ProcessEnv;
  permissionMode?: ClaudePermissionMode;
  /** How to start `claude-pm mcp` for claude runs; none runs agents without the tool server. */
  toolServer?: ToolServerCommand;
}

/** The runner the settings ask for (`claudePm.agents.runner` / `agents.runner` / `--runner`). */
export function createAgentRunner(settings: RunnerSettings): AgentRunner {
  return settings.kind === 'command'
    ? new CommandRunner({ templates: settings.commands, env: settings.env })
    : new ClaudeRunner({ claudePath: settings.claudePath, env: settings.env, permissionMode: settings.permissionMode, toolServer: settings.toolServer });
}

/**
 * The runner settings of a project: `.claude-pm/config.json` merged with its overrides (the editor's command
 * templates win per agent type), for delegated tasks and workflow steps alike.
 */
export function runnerSettingsFromConfig(config: ResolvedConfig, options: { kind?: RunnerKind; env?: NodeJS.ProcessEnv; toolServer?: ToolServerCommand } = {}): RunnerSettings {
  return { kind: options.kind ?? config.agents.runner, claudePath: config.agents.claudePath, commands: config.agents.commands, env: options.env, permissionMode: config.agents.permissionMode, toolServer: options.toolServer };
}

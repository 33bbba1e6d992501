import { ClaudeRunner, type ClaudePermissionMode } from '../orchestration/claudeRunner';
import { CommandRunner } from '../orchestration/commandRunner';
import type { AgentRunner } from '../orchestration/runner';

export type RunnerKind = 'claude' | 'command';

export interface RunnerSettings {
  kind: RunnerKind;
  claudePath: string;
  /** Command templates by agent type, for the command runner. */
  commands: Record<string, string>;
  /** The environment children inherit. */
  env?: NodeJS.ProcessEnv;
  permissionMode?: ClaudePermissionMode;
}

/** The runner the settings ask for (`claudePm.agents.runner` / `agents.runner` / `--runner`). */
export function createAgentRunner(settings: RunnerSettings): AgentRunner {
  return settings.kind === 'command'
    ? new CommandRunner({ templates: settings.commands, env: settings.env })
    : new ClaudeRunner({ claudePath: settings.claudePath, env: settings.env, permissionMode: settings.permissionMode });
}

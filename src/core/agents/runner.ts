import type { TokenUsage } from './usage';

// The one interface every way of running an agent step implements (Claude Code CLI, shell command, test runners).

export interface RunRequest {
  /** The agent type, e.g. 'engineer', 'qa'. */
  agentType: string;
  /** The task text handed to the agent. */
  task: string;
  cwd: string;
  /** The workspace the agent's tools (memory, tickets, health) act on, when `cwd` is an isolated worktree of it. */
  workspace?: string;
  /** The agent's role prompt (appended to the system prompt by the claude runner). */
  systemPrompt?: string;
  model?: string;
  allowedTools?: string[];
  maxTurns?: number;
  /** The step's time limit; the runner stops the process tree when it passes. */
  timeoutMs?: number;
  /** Cancels the run: the runner stops the process tree (SIGTERM, then SIGKILL after a grace period). */
  signal?: AbortSignal;
  /** False turns off the `claude-pm` tool server for this run (the workflow's `mcp_server: false`). */
  toolServer?: boolean;
  /** The most this run may spend (claude runner: `--max-budget-usd`). */
  maxBudgetUsd?: number;
  /** Extra environment for the child, on top of the parent's. */
  env?: Record<string, string>;
  /** Continue this Claude Code session (`--resume`) instead of starting a new one (claude runner). */
  resumeSessionId?: string;
  /** Live events, in order, while the run goes on. */
  onEvent?: (event: RunEvent) => void;
}

export type RunEvent =
  | { kind: 'text'; text: string }
  /** `parentId`: the Task/Agent call of the sub-agent that made this call. */
  | { kind: 'tool_use'; name: string; input: unknown; id?: string; parentId?: string }
  | { kind: 'tool_result'; isError: boolean; text: string; toolUseId?: string }
  | { kind: 'stdout'; text: string }
  | { kind: 'stderr'; text: string }
  | { kind: 'status'; message: string };

export type RunStatus = 'succeeded' | 'failed' | 'cancelled' | 'timed_out';

export interface RunResult {
  status: RunStatus;
  exitCode: number | null;
  /** The final answer (claude) or the output tail (command). */
  output: string;
  durationMs: number;
  sessionId?: string;
  turns?: number;
  costUsd?: number;
  /** The cost is a list-price estimate: the run stopped before Claude Code reported it. */
  costEstimated?: boolean;
  usage?: TokenUsage;
  model?: string;
  /** Tool calls made, the sub-agents' included. */
  toolCalls?: number;
  permissionDenials?: { toolName: string; toolUseId?: string }[];
  /** Sub-agents the session started through Claude Code's Task/Agent tool (claude runner). */
  subagents?: { toolUseId?: string; parentToolUseId?: string; subagentType?: string; description?: string }[];
  /** A plain-language reason when the run did not succeed. */
  error?: string;
  stderrTail?: string;
  /** Set when the run worked in its own git worktree: the branch holding its changes. */
  isolation?: RunIsolation;
}

/** `worktree`: the agent works in its own git worktree and leaves its changes on a branch (worktreeIsolation.ts). */
export const ISOLATION_MODES = ['none', 'worktree'] as const;
export type IsolationMode = (typeof ISOLATION_MODES)[number];

/** What changed between two commits. */
export interface DiffStat {
  files: number;
  insertions: number;
  deletions: number;
}

/** A run's isolated worktree after it ended: its branch, the commit it started from and what it changed. */
export interface RunIsolation {
  branch: string;
  base: string;
  diffStat: DiffStat;
}

export interface AgentRunner {
  readonly kind: string;
  run(request: RunRequest): Promise<RunResult>;
}

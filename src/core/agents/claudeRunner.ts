import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLAUDE_INSTALL_HINT } from './claudeRunnerLocate';
import { DEFAULT_GRACE_MS, runManagedProcess, TailBuffer } from './processTree';
import type { AgentRunner, RunRequest, RunResult } from './runner';
import { LineSplitter, StreamJsonState } from './streamJson';
import { qualifiedToolName, TOOL_NAMES, toolServerConfig, type ToolServerCommand } from './toolServer';
import { totalTokens } from './usage';

// Runs an agent step with the real Claude Code CLI in print mode and parses its stream-json output.
// We spawn the CLI ourselves rather than use the Agent SDK: no 1.5 MB bundle and no second platform binary,
// the user's own `claude` runs, and one small parser is all it takes to stream events and read the result.

import type { AgentPermissionMode } from '../config/schema';

export type ClaudePermissionMode = AgentPermissionMode;

export interface ClaudeRunnerOptions {
  /** The executable (`claudePm.agents.claudePath` / CLAUDE_PM_CLAUDE_PATH); a bare name is looked up on PATH. */
  claudePath: string;
  /** The environment the child inherits (ANTHROPIC_BASE_URL, ANTHROPIC_API_KEY…); defaults to this process's. */
  env?: NodeJS.ProcessEnv;
  /** Tool permissions for the session; print mode denies unapproved tools, which the result reports. */
  permissionMode?: ClaudePermissionMode;
  /** Starts `claude-pm mcp` for every run, so the agent reaches memory, tickets and health as tools. */
  toolServer?: ToolServerCommand;
  graceMs?: number;
}

// Linux refuses a single argument above 128 KiB; longer prompts go through a file.
const MAX_PROMPT_ARG_CHARS = 100_000;
const STDERR_TAIL_CHARS = 8 * 1024;
const TOOL_SERVER_CONNECT_MS = 60_000;

export class ClaudeRunner implements AgentRunner {
  readonly kind = 'claude';

  constructor(private readonly options: ClaudeRunnerOptions) {}

  async run(request: RunRequest): Promise<RunResult> {
    const started = Date.now();
    const emit = request.onEvent ?? (() => {});
    const state = new StreamJsonState(emit);
    const stdout = new LineSplitter(
      (line) => state.acceptLine(line),
      (length) => emit({ kind: 'status', message: `skipped an output line of ${length} characters` }),
    );
    const stderrTail = new TailBuffer(STDERR_TAIL_CHARS);
    const stderr = new LineSplitter((line) => {
      stderrTail.push(`${line}\n`);
      emit({ kind: 'stderr', text: line });
    });

    const promptDir = request.systemPrompt && request.systemPrompt.length > MAX_PROMPT_ARG_CHARS ? await mkdtemp(join(tmpdir(), 'claude-pm-prompt-')) : undefined;
    try {
      const args = await this.buildArgs(request, promptDir);
      const env: NodeJS.ProcessEnv = { ...(this.options.env ?? process.env), ...request.env, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', FORCE_COLOR: '0', NO_COLOR: '1' };
      // Claude Code in print mode sends its first request while MCP servers are still connecting (the model is
      // offered a tool to wait for them), so an agent's first turn could lack our tools: ask it to connect first,
      // and wait long enough for a busy machine to start our server.
      if (this.options.toolServer && request.toolServer !== false) {
        env.MCP_CONNECTION_NONBLOCKING ??= '0';
        env.MCP_CONNECT_TIMEOUT_MS ??= String(TOOL_SERVER_CONNECT_MS);
      }
      const proc = await runManagedProcess(this.options.claudePath, args, {
        cwd: request.cwd,
        env,
        stdin: request.task,
        timeoutMs: request.timeoutMs,
        signal: request.signal,
        graceMs: this.options.graceMs ?? DEFAULT_GRACE_MS,
        onStdout: (chunk) => stdout.push(chunk),
        onStderr: (chunk) => stderr.push(chunk),
      });
      stdout.end();
      stderr.end();

      const result = state.result;
      const { costUsd, estimated } = state.cost();
      const usage = state.usage();
      const base: RunResult = {
        status: 'failed',
        exitCode: proc.exitCode,
        output: result?.result ?? state.lastText,
        durationMs: Date.now() - started,
        sessionId: state.sessionId,
        turns: result?.num_turns,
        costUsd,
        costEstimated: estimated || undefined,
        usage: totalTokens(usage) > 0 ? usage : undefined,
        model: state.model,
        toolCalls: state.toolCalls,
        permissionDenials: result?.permission_denials?.map((d) => ({ toolName: d.tool_name, toolUseId: d.tool_use_id })),
        subagents: state.subagents.length ? state.subagents : undefined,
        stderrTail: stderrTail.toString() || undefined,
      };
      if (proc.outcome === 'spawn_failed') {
        const missing = proc.spawnError?.code === 'ENOENT' || proc.spawnError?.code === 'EACCES';
        return { ...base, error: missing ? `The Claude Code CLI ('${this.options.claudePath}') was not found. ${CLAUDE_INSTALL_HINT}` : `Could not start '${this.options.claudePath}': ${proc.spawnError?.message}` };
      }
      if (proc.outcome === 'cancelled') return { ...base, status: 'cancelled', error: 'The run was cancelled; its processes were stopped.' };
      if (proc.outcome === 'timed_out') return { ...base, status: 'timed_out', error: `No result within ${request.timeoutMs} ms; the run's processes were stopped.` };
      if (result && !result.is_error && result.subtype === 'success' && proc.exitCode === 0) return { ...base, status: 'succeeded' };
      return { ...base, error: failureReason(result, proc.exitCode, proc.exitSignal, state.invalidLines) };
    } finally {
      if (promptDir) await rm(promptDir, { recursive: true, force: true });
    }
  }

  private async buildArgs(request: RunRequest, promptDir: string | undefined): Promise<string[]> {
    const args = ['-p', '--output-format', 'stream-json', '--verbose'];
    if (request.systemPrompt) {
      if (promptDir) {
        const file = join(promptDir, 'agent-prompt.md');
        await writeFile(file, request.systemPrompt, 'utf8');
        args.push('--append-system-prompt-file', file);
      } else args.push('--append-system-prompt', request.systemPrompt);
    }
    if (request.model) args.push('--model', request.model);
    if (request.resumeSessionId) args.push('--resume', request.resumeSessionId);
    const allowed = [...(request.allowedTools ?? [])];
    const server = request.toolServer === false ? undefined : this.options.toolServer;
    if (server) {
      const caller = { agentType: request.agentType, runId: request.env?.CLAUDE_PM_RUN_ID, step: request.env?.CLAUDE_PM_STEP };
      args.push('--mcp-config', toolServerConfig(server, request.workspace ?? request.cwd, caller));
      allowed.push(...TOOL_NAMES.map(qualifiedToolName));
    }
    if (allowed.length) args.push('--allowedTools', allowed.join(','));
    if (request.maxTurns !== undefined) args.push('--max-turns', String(request.maxTurns));
    if (request.maxBudgetUsd !== undefined) args.push('--max-budget-usd', request.maxBudgetUsd.toFixed(4));
    if (this.options.permissionMode) args.push('--permission-mode', this.options.permissionMode);
    return args;
  }
}

function failureReason(result: RunResultMessage | undefined, exitCode: number | null, exitSignal: NodeJS.Signals | null, invalidLines: string[]): string {
  if (result) {
    const errors = (result.errors ?? []).map((e) => (typeof e === 'string' ? e : JSON.stringify(e)));
    if (result.is_error && result.result) errors.unshift(result.result);
    const detail = errors.length ? `: ${errors.join('; ')}` : '';
    return result.subtype === 'success' ? `Claude Code reported an error${detail}` : `Claude Code ended with '${result.subtype}'${detail}`;
  }
  const how = exitSignal ? `was killed by ${exitSignal}` : `exited with code ${exitCode}`;
  const garbage = invalidLines.length ? ` Unexpected output: ${invalidLines[0]}` : '';
  return `Claude Code ${how} without a result.${garbage}`;
}

type RunResultMessage = NonNullable<StreamJsonState['result']>;

import { DEFAULT_GRACE_MS, runManagedProcess, TailBuffer } from './processTree';
import type { AgentRunner, RunEvent, RunRequest, RunResult } from './runner';
import { LineSplitter } from './streamJson';

// Runs a shell command for an agent type (e.g. qa → `npm test`) with the same lifecycle as an agent:
// live output, a time limit, cancellation of the whole process tree, and the exit code as the verdict.

export interface CommandRunnerOptions {
  /** Command template per agent type; `{task}` and `{agent}` are replaced by shell-quoted values. */
  templates: Record<string, string>;
  env?: NodeJS.ProcessEnv;
  graceMs?: number;
}

export interface ShellCommandRequest {
  command: string;
  cwd: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  signal?: AbortSignal;
  graceMs?: number;
  onEvent?: (event: RunEvent) => void;
}

const OUTPUT_TAIL_CHARS = 16 * 1024;
const STDERR_TAIL_CHARS = 8 * 1024;

export class CommandRunner implements AgentRunner {
  readonly kind = 'command';

  constructor(private readonly options: CommandRunnerOptions) {}

  run(request: RunRequest): Promise<RunResult> {
    const template = this.options.templates[request.agentType];
    if (!template) {
      const known = Object.keys(this.options.templates);
      return Promise.resolve({
        status: 'failed',
        exitCode: null,
        output: '',
        durationMs: 0,
        error: `No command is configured for the agent type '${request.agentType}'${known.length ? ` (configured: ${known.join(', ')})` : ''}. Add one under claudePm.agents.commandTemplates or "agents.commands" in .claude-pm/config.json.`,
      });
    }
    return runShellCommand({
      command: renderCommandTemplate(template, { task: request.task, agent: request.agentType }),
      cwd: request.cwd,
      env: { ...(this.options.env ?? process.env), ...request.env },
      timeoutMs: request.timeoutMs,
      signal: request.signal,
      graceMs: this.options.graceMs,
      onEvent: request.onEvent,
    });
  }
}

/** Replaces `{name}` placeholders with shell-quoted values; unknown placeholders stay as written. */
export function renderCommandTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(values, name) ? shellQuote(values[name]!) : whole));
}

/** Quotes one argument for the platform shell (sh: single quotes; cmd: double quotes). */
export function shellQuote(value: string, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return `"${value.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\+)$/, '$1$1').replace(/%/g, '"%"')}"`;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Runs one shell command line; stdout/stderr stream as line events, the output tail comes back. */
export async function runShellCommand(request: ShellCommandRequest): Promise<RunResult> {
  const started = Date.now();
  const emit = request.onEvent ?? (() => {});
  const output = new TailBuffer(OUTPUT_TAIL_CHARS);
  const stderrTail = new TailBuffer(STDERR_TAIL_CHARS);
  const stdout = new LineSplitter((line) => {
    output.push(`${line}\n`);
    emit({ kind: 'stdout', text: line });
  });
  const stderr = new LineSplitter((line) => {
    stderrTail.push(`${line}\n`);
    output.push(`${line}\n`);
    emit({ kind: 'stderr', text: line });
  });
  const [shell, shellArgs] = process.platform === 'win32' ? [process.env.ComSpec ?? 'cmd.exe', ['/d', '/s', '/c', request.command]] : ['/bin/sh', ['-c', request.command]];
  const proc = await runManagedProcess(shell, shellArgs, {
    cwd: request.cwd,
    env: request.env ?? process.env,
    timeoutMs: request.timeoutMs,
    signal: request.signal,
    graceMs: request.graceMs ?? DEFAULT_GRACE_MS,
    onStdout: (chunk) => stdout.push(chunk),
    onStderr: (chunk) => stderr.push(chunk),
  });
  stdout.end();
  stderr.end();
  const base: RunResult = { status: 'failed', exitCode: proc.exitCode, output: output.toString(), durationMs: Date.now() - started, stderrTail: stderrTail.toString() || undefined };
  switch (proc.outcome) {
    case 'spawn_failed':
      return { ...base, error: `Could not start the shell '${shell}': ${proc.spawnError?.message}` };
    case 'cancelled':
      return { ...base, status: 'cancelled', error: 'The command was cancelled; its processes were stopped.' };
    case 'timed_out':
      return { ...base, status: 'timed_out', error: `The command did not finish within ${request.timeoutMs} ms; its processes were stopped.` };
    default:
      if (proc.exitCode === 0) return { ...base, status: 'succeeded' };
      return { ...base, error: proc.exitSignal ? `The command was killed by ${proc.exitSignal}.` : `The command exited with code ${proc.exitCode}.` };
  }
}

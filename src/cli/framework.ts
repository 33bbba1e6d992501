import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { createLogger, type Logger, type LogLevel } from '../core/common/logger';
import { terminalText } from '../core/common/terminalText';
import type { ResolvedConfig } from '../core/config/loadConfig';
import type { MemoryService } from '../core/memory/memoryService';
import type { AuditEvent, AuditLog } from '../core/security/auditLog';
import type { Permission } from '../core/security/permissions';

// Only types and the logger are imported statically: `--help`, `--version` and every command's start stay light, and
// the configuration and policy code load when a command first asks for them.

export type OutputFormat = 'json' | 'text';
export type OptionSpec = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** What every subcommand receives: the workspace it acts on, its config, and the output channels. */
export interface CliContext {
  /** The workspace root: the nearest folder at or above --cwd holding `.claude-pm/`, else the git root. */
  cwd: string;
  /** The folder --cwd named (or the process's): relative paths given on the command line start here. */
  dir: string;
  format: OutputFormat;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /**
   * Loads `.claude-pm/config.json` of the workspace once; warnings go to stderr. A file with errors rejects with
   * every error's file, line and column: no command carries on with defaults in place of a broken setting.
   */
  config(): Promise<ResolvedConfig>;
  /** Checks the actor's permission before a change; rejects with PermissionDeniedError (exit 1) when missing. */
  authorize(permission: Permission, action: string, target?: string): Promise<void>;
  /** Appends an event to the workspace's audit trail as the acting user; a failure to write is reported, not thrown. */
  audit(event: Omit<AuditEvent, 'actor'>): Promise<void>;
  /** A path named on the command line for reading. */
  inputPath(arg: string): string;
  /** A path named on the command line for writing; never the policy, config, audit trail, memory store or keys. */
  outputPath(arg: string): Promise<string>;
  /** Writes a result: JSON alone on stdout with --format json, otherwise `text`. */
  print(value: unknown, text?: string | (() => string)): void;
  /** Services a long-lived caller (the MCP server) keeps open across commands. */
  shared: SharedServices;
}

export interface SharedServices {
  /** Opened once instead of per command; the owner disposes of it. */
  memory?: MemoryService;
}

/** What help lists and the parser needs: everything about a command except its code. */
export interface CliCommandSpec {
  /** Words that select the command, e.g. ['tickets', 'list']. */
  path: string[];
  summary: string;
  /** Positional arguments, shown in help, e.g. 'TYPE TITLE'. */
  args?: string;
  options?: OptionSpec;
  /** One line per option for `--help`, by option name (options without one are listed bare). */
  optionHelp?: Readonly<Record<string, string>>;
  /** Checked before `run` for commands that change something (not for a --dry-run); a denial exits 1 and is audited. */
  permission?: Permission;
}

/** A command's code: returns the exit code. */
export type CliHandler = (ctx: CliContext, values: Values, positionals: string[]) => Promise<number>;
/** An area's handlers by command key (see `lazyCommands`). */
export type CliHandlers = Record<string, CliHandler>;

export interface CliCommand extends CliCommandSpec {
  run: CliHandler;
}

/** A mistake in how the command was called: exit code 2 with the usage. */
export class UsageError extends Error {}

const GLOBAL_OPTIONS: OptionSpec = {
  cwd: { type: 'string' },
  format: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  verbose: { type: 'boolean' },
};

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  shared?: SharedServices;
}

/** Runs one invocation and returns its exit code: 0 ok, 1 failure, 2 usage error. */
export async function runCli(argv: string[], commands: readonly CliCommand[], version: string, terminal: CliIo): Promise<number> {
  // Everything printed passes one filter: ticket titles, memories and agent output are workspace content, and
  // their escape sequences must not drive the user's terminal. JSON is unaffected (it escapes controls itself).
  const io: CliIo = { ...terminal, stdout: (text) => terminal.stdout(terminalText(text)), stderr: (text) => terminal.stderr(terminalText(text)) };
  const command = findCommand(argv, commands);
  if (!command) {
    const first = argv.find((a) => !a.startsWith('-'));
    if (argv.includes('--version') || argv.includes('-v')) {
      io.stdout(`${version}\n`);
      return 0;
    }
    if (first === undefined || argv.includes('--help') || argv.includes('-h') || first === 'help') {
      io.stdout(renderHelp(commands, version, argv.filter((a) => !a.startsWith('-') && a !== 'help')));
      return 0;
    }
    io.stderr(`claude-pm: unknown command '${argv.filter((a) => !a.startsWith('-')).join(' ')}'. Run 'claude-pm --help' for the list.\n`);
    return 2;
  }
  const rest = argv.slice(command.path.length);
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: rest, options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true }));
  } catch (error) {
    io.stderr(`claude-pm ${command.path.join(' ')}: ${(error as Error).message}\n${usageLine(command)}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(`${usageLine(command)}\n\n${command.summary}\n${renderOptions(command.options, command.optionHelp)}`);
    return 0;
  }
  const format = values.format ?? 'text';
  if (format !== 'json' && format !== 'text') {
    io.stderr(`claude-pm: --format must be json or text, not '${String(format)}'\n`);
    return 2;
  }
  const dir = resolve(io.cwd, typeof values.cwd === 'string' ? values.cwd : '.');
  const cwd = await (await import('../core/common/workspaceRoot')).findWorkspaceRoot(dir, io.env);
  // Until the workspace's config is read, messages go out at info; then its logging.level applies (--verbose wins).
  let configLevel: LogLevel = 'info';
  const logger = createLogger((level, line) => io.stderr(`${level === 'info' ? '' : `${level}: `}${line}\n`), () => (values.verbose ? 'debug' : configLevel));
  let configPromise: Promise<ResolvedConfig> | undefined;
  let auditLog: AuditLog | undefined;
  let actor: Promise<string> | undefined;
  const ctx: CliContext = {
    cwd,
    dir,
    format,
    env: io.env,
    logger,
    config: () =>
      (configPromise ??= loadConfigWithWarnings(cwd, io.env, logger).then((config) => {
        configLevel = config.logLevel;
        return config;
      })),
    authorize: async (permission, action, target) => {
      const { createWorkspaceAuthorizer } = await import('../core/security/policy');
      return (await createWorkspaceAuthorizer(cwd, io.env)).require(permission, action, target);
    },
    shared: io.shared ?? {},
    audit: async (event) => {
      try {
        const [{ AuditLog }, { resolveActor }] = await Promise.all([import('../core/security/auditLog'), import('../core/security/policy')]);
        await (auditLog ??= AuditLog.forWorkspace(cwd, { env: io.env })).append({ ...event, actor: await (actor ??= resolveActor(cwd, io.env)) });
      } catch (error) {
        logger.warn(`could not write the audit trail: ${(error as Error).message}`);
      }
      // With the team database as the backend, the team's trail records it too (in the name of the database user).
      try {
        const [config, { databaseUrlFrom }] = await Promise.all([ctx.config(), import('../core/database/connection')]);
        const url = config.memory.backend === 'postgres' ? databaseUrlFrom(io.env) : undefined;
        if (url) await (await import('../core/database/teamAuditWriter')).appendTeamAuditEvent(url, io.env, event);
      } catch (error) {
        const { describeDatabaseError } = await import('../core/database/connection');
        logger.warn(`could not write the team database's audit trail: ${describeDatabaseError(error)}`);
      }
    },
    inputPath: (arg) => resolve(dir, arg),
    outputPath: async (arg) => {
      const path = resolve(dir, arg);
      const { assertOutputAllowed } = await import('../core/security/protectedFiles');
      await assertOutputAllowed(path, cwd, io.env);
      return path;
    },
    print: (value, text) => {
      // JSON leaves C1 controls and bidi overrides raw: escaped here, they keep their value through the terminal filter.
      if (format === 'json') io.stdout(`${JSON.stringify(value, null, 2).replace(/[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`);
      else {
        const rendered = typeof text === 'function' ? text() : (text ?? (typeof value === 'string' ? value : JSON.stringify(value, null, 2)));
        io.stdout(rendered.endsWith('\n') ? rendered : `${rendered}\n`);
      }
    },
  };
  try {
    // A dry run changes nothing, so it needs no permission to change anything.
    if (command.permission && values['dry-run'] !== true) await ctx.authorize(command.permission, command.path.join(' '));
    return await command.run(ctx, values, positionals);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`claude-pm ${command.path.join(' ')}: ${error.message}\n${usageLine(command)}\n`);
      return 2;
    }
    logger.error(values.verbose ? (error as Error) : (error as Error).message);
    return 1;
  }
}

async function loadConfigWithWarnings(cwd: string, env: NodeJS.ProcessEnv, logger: Logger): Promise<ResolvedConfig> {
  const [{ loadConfig }, { assertNoErrors, formatDiagnostic }] = await Promise.all([import('../core/config/loadConfig'), import('../core/config/diagnostics')]);
  const { config, diagnostics } = await loadConfig(cwd, {}, env);
  assertNoErrors(diagnostics);
  for (const d of diagnostics) logger.warn(formatDiagnostic(d));
  return config;
}

function findCommand(argv: string[], commands: readonly CliCommand[]): CliCommand | undefined {
  let best: CliCommand | undefined;
  for (const command of commands) {
    if (command.path.every((word, i) => argv[i] === word) && command.path.length > (best?.path.length ?? 0)) best = command;
  }
  return best;
}

function usageLine(command: CliCommand): string {
  return `usage: claude-pm ${command.path.join(' ')}${command.args ? ` ${command.args}` : ''} [options]`;
}

const GLOBAL_HELP: Readonly<Record<string, string>> = { cwd: 'act on the workspace holding this folder (default: the current one)', format: 'json or text (default)' };

function renderOptions(options: OptionSpec | undefined, commandHelp: Readonly<Record<string, string>> = {}): string {
  const all = { ...options, cwd: GLOBAL_OPTIONS.cwd, format: GLOBAL_OPTIONS.format };
  const help = { ...GLOBAL_HELP, ...commandHelp };
  const lines = Object.entries(all).map(([name, spec]) => {
    const usage = `  --${name}${spec.type === 'string' ? ' VALUE' : ''}${spec.multiple ? ' (repeatable)' : ''}`;
    return Object.hasOwn(help, name) ? `${usage.padEnd(26)} ${help[name]}` : usage;
  });
  return `\noptions:\n${lines.join('\n')}\n`;
}

function renderHelp(commands: readonly CliCommand[], version: string, prefix: string[]): string {
  const shown = commands.filter((c) => prefix.every((w, i) => c.path[i] === w));
  const list = (shown.length ? shown : commands).map((c) => `  ${`${c.path.join(' ')}${c.args ? ` ${c.args}` : ''}`.padEnd(44)} ${c.summary}`);
  return [
    `claude-pm ${version}: Claude PM framework tools for CI and the terminal`,
    '',
    'usage: claude-pm <command> [options]',
    '',
    'commands:',
    ...list,
    '',
    'global options: --cwd DIR (workspace, default .), --format json|text, --verbose, --help, --version',
    'exit codes: 0 ok, 1 failure, 2 usage error',
    '',
  ].join('\n');
}

/** Reads a required positional argument or fails with a usage error naming it. */
export function requireArg(positionals: string[], index: number, name: string): string {
  const value = positionals[index];
  if (value === undefined || value === '') throw new UsageError(`missing ${name}`);
  return value;
}

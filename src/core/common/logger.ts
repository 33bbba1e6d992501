import { redact } from './redact';

/** The one logging interface of the core: the extension writes to a LogOutputChannel, the CLI to stderr. */
export interface Logger {
  trace(message: string, ...args: unknown[]): void;
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string | Error, ...args: unknown[]): void;
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** A sink receives lines that are already redacted. */
export type LogSink = (level: LogLevel, line: string) => void;

const ORDER: Record<LogLevel, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4 };

// The framework's Python levels (logging.level in .claude-pm/config.json) and their names here.
const LEVEL_NAMES = new Map<string, LogLevel>([
  ['trace', 'trace'],
  ['debug', 'debug'],
  ['info', 'info'],
  ['warn', 'warn'],
  ['warning', 'warn'],
  ['error', 'error'],
  ['critical', 'error'],
  ['fatal', 'error'],
]);

/** `"WARNING"` → `warn`; undefined for a level no one knows. */
export function parseLogLevel(text: string | undefined): LogLevel | undefined {
  return text === undefined ? undefined : LEVEL_NAMES.get(text.trim().toLowerCase());
}

/**
 * Builds a logger that formats, redacts and forwards to `sink`; `knownSecrets` are masked verbatim too.
 * `minLevel` may be a function, for a level that is known only once the configuration is loaded.
 */
export function createLogger(sink: LogSink, minLevel: LogLevel | (() => LogLevel) = 'trace', knownSecrets: () => readonly string[] = () => []): Logger {
  const threshold = typeof minLevel === 'function' ? minLevel : () => minLevel;
  const emit = (level: LogLevel, message: string | Error, args: unknown[]) => {
    if (ORDER[level] < ORDER[threshold()]) return;
    const parts = [formatPart(message), ...args.map(formatPart)];
    sink(level, redact(parts.join(' '), knownSecrets()));
  };
  return {
    trace: (m, ...a) => emit('trace', m, a),
    debug: (m, ...a) => emit('debug', m, a),
    info: (m, ...a) => emit('info', m, a),
    warn: (m, ...a) => emit('warn', m, a),
    error: (m, ...a) => emit('error', m, a),
  };
}

function formatPart(part: unknown): string {
  if (part instanceof Error) return part.stack ?? `${part.name}: ${part.message}`;
  if (typeof part === 'string') return part;
  try {
    return JSON.stringify(part);
  } catch {
    return String(part);
  }
}

/** A logger that drops everything; for callers that have nothing to say to the user. */
export const silentLogger: Logger = createLogger(() => undefined, 'error');

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseLogLevel, type LogLevel } from '../common/logger';
import { configFileSchema, environmentSchema, type AgentPermissionMode, type ConfigFile, type Environment, type HealthServiceConfig, type MemoryBackendKind, type TemplateTarget } from './schema';
import { locateKey, parseJsonText, zodIssuesToDiagnostics, type FileDiagnostic } from './diagnostics';

export const CONFIG_DIR = '.claude-pm';
export const CONFIG_FILE = 'config.json';
const DEFAULT_CHECKPOINTS_KEPT = 20;

/** Values the editor (VS Code settings) or the CLI's flags supply; each wins over the file when set. */
export interface ConfigOverrides {
  environment?: Environment;
  memoryBackend?: MemoryBackendKind;
  memoryUrl?: string;
  claudePath?: string;
  agentRunner?: 'claude' | 'command';
  maxConcurrentAgents?: number;
  healthIntervalSeconds?: number;
  /** Agent-type → command templates for the command runner; each wins over the file's `agents.commands` entry. */
  commandTemplates?: Record<string, string>;
  checkpointsKept?: number;
  templatesTarget?: TemplateTarget;
  ticketsRoot?: string;
  ticketsShowAllRoots?: boolean;
}

export interface ResolvedConfig {
  workspaceRoot: string;
  configPath: string;
  environment: Environment;
  /** The file's valid content, unknown keys included. */
  file: ConfigFile;
  memory: {
    backend: MemoryBackendKind;
    baseUrl: string;
    timeoutMs: number;
    verifyTls: boolean;
    userId?: string;
    orgId?: string;
    projectId?: string;
  };
  orchestrator: { maxConcurrentAgents: number; agentTimeoutMs: number; perAgentLimits: Record<string, number> };
  health: { services: HealthServiceConfig[]; disableDefaultServices: boolean; intervalMs: number; projects: string[]; alertThreshold: number };
  /** `checkpointsKept`: runs whose before/after checkpoints are kept; 0 records none. */
  agents: { runner: 'claude' | 'command'; claudePath: string; commands: Record<string, string>; permissionMode: AgentPermissionMode; checkpointsKept: number };
  templates: { target: TemplateTarget; master?: string };
  /** The ticket root chosen for this project (none: resolved as ai-trackdown does) and whether to show every candidate. */
  tickets: { root?: string; showAllRoots: boolean };
  templateVariables: Record<string, string>;
  logLevel: LogLevel;
}

export interface LoadedConfig {
  config: ResolvedConfig;
  diagnostics: FileDiagnostic[];
}

// The seed's per-environment defaults (CMPM_ENVIRONMENT): development, testing, production.
const ENVIRONMENT_DEFAULTS: Record<Environment, { memoryTimeoutS: number; maxAgents: number; agentTimeoutS: number; logLevel: LogLevel; verifyTls: boolean }> = {
  development: { memoryTimeoutS: 30, maxAgents: 5, agentTimeoutS: 300, logLevel: 'info', verifyTls: false },
  testing: { memoryTimeoutS: 15, maxAgents: 3, agentTimeoutS: 180, logLevel: 'debug', verifyTls: true },
  production: { memoryTimeoutS: 60, maxAgents: 20, agentTimeoutS: 600, logLevel: 'warn', verifyTls: true },
};

/**
 * Reads `<root>/.claude-pm/config.json` (a missing file is fine), validates it leniently (a bad value is
 * reported and replaced by its default, the rest is kept) and merges overrides and environment variables.
 */
export async function loadConfig(workspaceRoot: string, overrides: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig> {
  const configPath = join(workspaceRoot, CONFIG_DIR, CONFIG_FILE);
  let text: string | undefined;
  try {
    text = await readFile(configPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      return { config: resolveConfig(workspaceRoot, configPath, {}, overrides, env), diagnostics: [{ file: configPath, message: `cannot read: ${(error as Error).message}`, severity: 'error' }] };
    }
  }
  const { file, diagnostics } = text === undefined ? { file: {}, diagnostics: [] } : parseConfigText(configPath, text);
  const envDiagnostics: FileDiagnostic[] = [];
  if (env.CMPM_ENVIRONMENT && !environmentSchema.safeParse(env.CMPM_ENVIRONMENT).success) {
    envDiagnostics.push({ file: 'CMPM_ENVIRONMENT', message: `"${env.CMPM_ENVIRONMENT}" is not an environment; expected development, testing or production`, severity: 'warning' });
  }
  return { config: resolveConfig(workspaceRoot, configPath, file, overrides, env), diagnostics: [...diagnostics, ...envDiagnostics] };
}

/** Parses and validates config text; invalid values are dropped one by one so the valid rest survives. */
export function parseConfigText(configPath: string, text: string): { file: ConfigFile; diagnostics: FileDiagnostic[] } {
  const parsed = parseJsonText(text);
  if (!parsed.ok) {
    return {
      file: {},
      diagnostics: [{ file: configPath, line: parsed.line, column: parsed.column, message: `not valid JSON (${parsed.message}); using defaults until it is fixed`, severity: 'error' }],
    };
  }
  const raw = parsed.value;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    return { file: {}, diagnostics: [{ file: configPath, message: 'expected a JSON object at the top level; using defaults', severity: 'error' }] };
  }
  const diagnostics: FileDiagnostic[] = [];
  let candidate = structuredClone(raw) as Record<string, unknown>;
  for (let attempt = 0; attempt < 50; attempt++) {
    const result = configFileSchema.safeParse(candidate);
    if (result.success) return { file: result.data, diagnostics };
    diagnostics.push(...zodIssuesToDiagnostics(configPath, result.error.issues).map((d, i) => ({ ...d, ...locateKey(text, result.error.issues[i]!.path), message: `${d.message}; the default is used instead` })));
    candidate = dropPaths(candidate, result.error.issues.map((i) => i.path));
  }
  return { file: {}, diagnostics };
}

function dropPaths(value: Record<string, unknown>, paths: readonly (readonly PropertyKey[])[]): Record<string, unknown> {
  const copy = structuredClone(value);
  for (const path of paths) {
    if (path.length === 0) return {};
    let node: unknown = copy;
    for (const key of path.slice(0, -1)) node = (node as Record<PropertyKey, unknown>)?.[key as string];
    if (node && typeof node === 'object') {
      const last = path[path.length - 1] as string | number;
      if (Array.isArray(node) && typeof last === 'number') node.splice(last, 1);
      else delete (node as Record<string | number, unknown>)[last];
    }
  }
  return copy;
}

function resolveConfig(workspaceRoot: string, configPath: string, file: ConfigFile, overrides: ConfigOverrides, env: NodeJS.ProcessEnv): ResolvedConfig {
  const envEnvironment = environmentSchema.safeParse(env.CMPM_ENVIRONMENT);
  const environment: Environment = (envEnvironment.success ? envEnvironment.data : undefined) ?? overrides.environment ?? file.environment ?? 'development';
  const defaults = ENVIRONMENT_DEFAULTS[environment];
  const mem = file.memory_service ?? {};

  const useTls = parseBool(env.MEM0AI_USE_TLS) ?? mem.use_tls ?? false;
  const host = env.MEM0AI_HOST ?? mem.host ?? 'localhost';
  const port = parseIntSafe(env.MEM0AI_PORT) ?? mem.port ?? 8002;
  const baseUrl = overrides.memoryUrl ?? env.MEM0AI_URL ?? mem.url ?? `${useTls ? 'https' : 'http'}://${host}:${port}`;
  const timeoutS = parseIntSafe(env.MEM0AI_TIMEOUT) ?? mem.timeout ?? defaults.memoryTimeoutS;
  const verifyTls = environment === 'development' ? (parseBool(env.MEM0AI_VERIFY_SSL) ?? mem.verify_ssl ?? defaults.verifyTls) : (parseBool(env.MEM0AI_VERIFY_SSL) ?? mem.verify_ssl ?? true);

  return {
    workspaceRoot,
    configPath,
    environment,
    file,
    memory: {
      backend: overrides.memoryBackend ?? mem.backend ?? 'embedded',
      baseUrl: baseUrl.replace(/\/+$/, ''),
      timeoutMs: timeoutS * 1000,
      verifyTls,
      userId: mem.user_id,
      orgId: mem.org_id,
      projectId: mem.project_id,
    },
    orchestrator: {
      maxConcurrentAgents: overrides.maxConcurrentAgents ?? file.orchestrator?.max_agents ?? defaults.maxAgents,
      agentTimeoutMs: (file.orchestrator?.agent_timeout ?? defaults.agentTimeoutS) * 1000,
      perAgentLimits: file.orchestrator?.per_agent_limits ?? {},
    },
    health: {
      services: file.health?.services ?? [],
      disableDefaultServices: file.health?.disable_default_services ?? false,
      intervalMs: (overrides.healthIntervalSeconds ?? file.health?.interval_seconds ?? 300) * 1000,
      projects: file.health?.projects ?? [],
      alertThreshold: file.health?.alert_threshold ?? 60,
    },
    agents: {
      runner: overrides.agentRunner ?? file.agents?.runner ?? 'claude',
      claudePath: overrides.claudePath ?? env.CLAUDE_PM_CLAUDE_PATH ?? 'claude',
      commands: { ...file.agents?.commands, ...overrides.commandTemplates },
      // Delegated agents and workflow steps may edit files unless the project says otherwise.
      permissionMode: file.agents?.permission_mode ?? 'acceptEdits',
      checkpointsKept: overrides.checkpointsKept ?? file.agents?.checkpoints_kept ?? DEFAULT_CHECKPOINTS_KEPT,
    },
    templates: { target: overrides.templatesTarget ?? file.templates?.target ?? 'parent', master: file.templates?.master },
    tickets: { root: overrides.ticketsRoot ?? file.tickets?.root, showAllRoots: overrides.ticketsShowAllRoots ?? file.tickets?.show_all_roots ?? false },
    templateVariables: file.template_variables ?? {},
    logLevel: parseLogLevel(file.logging?.level) ?? defaults.logLevel,
  };
}

function parseBool(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  return undefined;
}

function parseIntSafe(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

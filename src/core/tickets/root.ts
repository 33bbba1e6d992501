// Finds a workspace's ticket root as the ai-trackdown tools do (formats.md §3a "Root resolution", §3b).

import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import type { FileDiagnostic } from '../config/diagnostics';
import type { TicketFormat } from './model';
import { legacyRootSchema, pytoolsConfigSchema, toolsConfigSchema, type ToolsConfig } from './schema';

export const TRACKDOWN_DIR = '.ai-trackdown';
export const CONFIG_YAML = 'config.yaml';
export const COUNTERS_JSON = 'counters.json';

export interface TicketStructure {
  epics: string;
  issues: string;
  tasks: string;
  prs: string;
  templates: string;
}

export interface TicketRoot {
  workspaceRoot: string;
  /** Absolute ticket root. */
  root: string;
  /** Which rule chose it. */
  source: 'flag' | 'env' | 'config' | 'legacy' | 'default';
  exists: boolean;
  /** The format the config describes (tools when there is none): new tickets use it in an empty tree. */
  configFormat: TicketFormat;
  configPath?: string;
  countersPath: string;
  structure: TicketStructure;
  /** The config's `default_assignee`, for new tickets. */
  defaultAssignee?: string;
  diagnostics: FileDiagnostic[];
}

export interface ResolveRootOptions {
  /** `--root` flag or the `claudePm.tickets.root` setting; wins over everything. */
  root?: string;
  env?: NodeJS.ProcessEnv;
}

const DEFAULT_STRUCTURE: TicketStructure = { epics: 'epics', issues: 'issues', tasks: 'tasks', prs: 'prs', templates: 'templates' };

export async function resolveTicketRoot(workspaceRoot: string, options: ResolveRootOptions = {}): Promise<TicketRoot> {
  const env = options.env ?? {};
  const diagnostics: FileDiagnostic[] = [];
  const configPath = join(workspaceRoot, TRACKDOWN_DIR, CONFIG_YAML);
  const config = await readConfig(configPath, diagnostics);
  const base = {
    workspaceRoot,
    configFormat: config?.format ?? 'tools',
    configPath: config ? configPath : undefined,
    countersPath: join(workspaceRoot, TRACKDOWN_DIR, COUNTERS_JSON),
    structure: { ...DEFAULT_STRUCTURE, ...definedOnly(config?.tools?.structure) },
    defaultAssignee: config?.tools?.default_assignee,
    diagnostics,
  };
  const chosen = async (dir: string, source: TicketRoot['source']): Promise<TicketRoot> => {
    const root = isAbsolute(dir) ? dir : resolve(workspaceRoot, dir);
    return { ...base, root, source, exists: await isDirectory(root) };
  };

  if (options.root) return chosen(options.root, 'flag');
  const fromEnv = env.AITRACKDOWN_TASKS_DIR || env.AITRACKDOWN_ROOT_DIR;
  if (fromEnv) return chosen(fromEnv, 'env');
  if (config?.directory) return chosen(config.directory, 'config');
  const legacy = await readLegacyRoot(join(workspaceRoot, '.aitrackdown.json'), diagnostics);
  if (legacy) return chosen(legacy, 'legacy');
  const preferred = config?.format === 'pytools' ? 'tickets' : 'tasks';
  const other = preferred === 'tasks' ? 'tickets' : 'tasks';
  // A tree under the other conventional name (claude-multiagent-pm keeps `tickets/`) beats an empty default.
  if (!(await isDirectory(join(workspaceRoot, preferred))) && (await isDirectory(join(workspaceRoot, other)))) return chosen(other, 'default');
  return chosen(preferred, 'default');
}

interface ReadConfig {
  format: TicketFormat;
  directory?: string;
  tools?: ToolsConfig;
}

async function readConfig(path: string, diagnostics: FileDiagnostic[]): Promise<ReadConfig | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  let data: unknown;
  try {
    data = parse(text, { maxAliasCount: 50 });
  } catch (error) {
    diagnostics.push({ file: path, line: (error as { linePos?: { line: number }[] }).linePos?.[0]?.line, message: `invalid YAML: ${(error as Error).message.split('\n')[0]}`, severity: 'error' });
    return { format: 'tools' };
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    diagnostics.push({ file: path, message: 'config.yaml is not a key: value mapping; using defaults', severity: 'error' });
    return { format: 'tools' };
  }
  const record = data as Record<string, unknown>;
  const isPytools = typeof record.tasks === 'object' || 'editor' in record || ('git' in record && !('tasks_directory' in record));
  if (isPytools) {
    const result = pytoolsConfigSchema.safeParse(record);
    if (!result.success) {
      diagnostics.push({ file: path, key: result.error.issues[0]?.path.join('.'), message: `${result.error.issues[0]?.message}; using defaults`, severity: 'warning' });
      return { format: 'pytools' };
    }
    return { format: 'pytools', directory: result.data.tasks?.directory };
  }
  const result = toolsConfigSchema.safeParse(record);
  if (!result.success) {
    diagnostics.push({ file: path, key: result.error.issues[0]?.path.join('.'), message: `${result.error.issues[0]?.message}; using defaults`, severity: 'warning' });
    return { format: 'tools' };
  }
  return { format: 'tools', directory: result.data.tasks_directory, tools: result.data };
}

async function readLegacyRoot(path: string, diagnostics: FileDiagnostic[]): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const result = legacyRootSchema.safeParse(JSON.parse(text));
    if (result.success) return result.data.rootDir;
    diagnostics.push({ file: path, message: 'expected {"rootDir": "..."}; ignored', severity: 'warning' });
  } catch (error) {
    diagnostics.push({ file: path, message: `invalid JSON: ${(error as Error).message}; ignored`, severity: 'warning' });
  }
  return undefined;
}

function definedOnly(structure: ToolsConfig['structure']): Partial<TicketStructure> {
  if (!structure) return {};
  const out: Partial<TicketStructure> = {};
  if (structure.epics_dir) out.epics = structure.epics_dir;
  if (structure.issues_dir) out.issues = structure.issues_dir;
  if (structure.tasks_dir) out.tasks = structure.tasks_dir;
  if (structure.prs_dir) out.prs = structure.prs_dir;
  if (structure.templates_dir) out.templates = structure.templates_dir;
  return out;
}

export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

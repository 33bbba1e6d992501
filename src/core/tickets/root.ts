// Finds a workspace's ticket root as the ai-trackdown tools do (formats.md §3a "Root resolution", §3b).

import { countOf } from '../common/plural';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { containedPath, isInside, PathEscapeError, realpathNearest, relativePathProblem } from '../common/containedPath';
import type { FileDiagnostic } from '../config/diagnostics';
import { countTickets, findRootCandidates, TreeScans, type RootCandidate } from './candidates';
import type { TicketFormat } from './model';
import { configSchemas, type ToolsConfig } from './schema';

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
  /** Which rule chose it: `discovered` when the configured or default folder held no tickets and another did. */
  source: 'flag' | 'env' | 'config' | 'legacy' | 'default' | 'discovered';
  exists: boolean;
  /** Every folder of the workspace that holds tickets (and the configured one), most tickets first. */
  candidates: RootCandidate[];
  /** Said once by every command: another folder holds more tickets than the root in use. */
  notice?: string;
  /** The config or legacy file names a folder that does not exist (whatever root was used instead). */
  configuredRootMissing: boolean;
  /** The default folder is a link out of the workspace: nothing is read from it or written through it. */
  escapesWorkspace: boolean;
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
  /**
   * Look for other ticket folders to fall back on and to warn about: `auto` (the default) unless the root was named
   * by a flag or the environment, `always` also then (to list them), `never` for a root about to be created.
   */
  discover?: 'auto' | 'always' | 'never';
  /** Scans made while resolving land here, for the index to reuse. */
  scans?: TreeScans;
}

const DEFAULT_STRUCTURE: TicketStructure = { epics: 'epics', issues: 'issues', tasks: 'tasks', prs: 'prs', templates: 'templates' };

export async function resolveTicketRoot(workspace: string, options: ResolveRootOptions = {}): Promise<TicketRoot> {
  const workspaceRoot = resolve(workspace);
  const env = options.env ?? {};
  const diagnostics: FileDiagnostic[] = [];
  const configPath = join(workspaceRoot, TRACKDOWN_DIR, CONFIG_YAML);
  const config = await readConfig(configPath, diagnostics);
  const base = {
    workspaceRoot,
    configFormat: config?.format ?? 'tools',
    configPath: config ? configPath : undefined,
    countersPath: join(workspaceRoot, TRACKDOWN_DIR, COUNTERS_JSON),
    structure: containedStructure(definedOnly(config?.tools?.structure), configPath, diagnostics),
    defaultAssignee: config?.tools?.default_assignee,
    diagnostics,
    escapesWorkspace: false,
  };
  const absolute = (dir: string) => (isAbsolute(dir) ? dir : resolve(workspaceRoot, dir));
  const ruled = await ruledRoot(workspaceRoot, options, env, config, diagnostics);
  const root = absolute(ruled.dir);
  // The default folder is the repository's own choice too: a link from it out of the workspace is never followed.
  const escapes = ruled.source === 'default' && !isInside(await realpathNearest(workspaceRoot), await realpathNearest(root));
  if (escapes) diagnostics.push({ file: root, message: `the default ticket folder ${ruled.dir} is a link out of the workspace; not read`, severity: 'error' });
  const exists = !escapes && (await isDirectory(root));
  base.escapesWorkspace = escapes;
  const configuredRootMissing = (ruled.source === 'config' || ruled.source === 'legacy') && !exists;
  const explicit = ruled.source === 'flag' || ruled.source === 'env';
  const discover = options.discover ?? 'auto';
  if (discover === 'never' || (discover === 'auto' && explicit)) return { ...base, root, source: ruled.source, exists, candidates: [], configuredRootMissing };

  const scans = options.scans ?? new TreeScans();
  // A root the user or the repository named is listed even when empty or missing; the default folder only with tickets.
  const candidates = await findRootCandidates(workspaceRoot, ruled.source === 'default' ? [] : [root], scans);
  const best = candidates[0];
  if (!explicit && best && best.tickets > 0 && best.root !== root) {
    const configured = ruled.source === 'config' || ruled.source === 'legacy';
    if (configuredRootMissing) {
      diagnostics.push({ ...ruled.origin!, message: `names the ticket folder ${ruled.dir}, which does not exist; using ${best.relPath} (${countOf(best.tickets, 'ticket')}) instead`, severity: 'error' });
      return { ...base, root: best.root, source: 'discovered', exists: true, candidates, configuredRootMissing, escapesWorkspace: false };
    }
    const held = exists ? countTickets(await scans.scan(root)) : 0;
    // Nothing configured and the default folder empty: the tickets are wherever most of them are.
    if (!configured && held === 0) return { ...base, root: best.root, source: 'discovered', exists: true, candidates, configuredRootMissing, escapesWorkspace: false };
    if (best.tickets > held) {
      const notice = `${best.relPath} holds ${countOf(best.tickets, 'ticket')}, more than ${relativeName(workspaceRoot, root)} (${held}), the ticket root in use; pass --root ${best.relPath} or set the ticket root to use it`;
      return { ...base, root, source: ruled.source, exists, candidates, notice, configuredRootMissing };
    }
  } else if (configuredRootMissing) {
    diagnostics.push({ ...ruled.origin!, message: `names the ticket folder ${ruled.dir}, which does not exist`, severity: 'error' });
  }
  return { ...base, root, source: ruled.source, exists, candidates, configuredRootMissing };
}

interface RuledRoot {
  dir: string;
  source: Exclude<TicketRoot['source'], 'discovered'>;
  /** Where a configured root was named, for diagnostics about it. */
  origin?: { file: string; line?: number; key?: string };
}

/** The root the tools' own precedence picks: flag, environment, config, legacy file, then the default folder. */
async function ruledRoot(workspaceRoot: string, options: ResolveRootOptions, env: NodeJS.ProcessEnv, config: ReadConfig | undefined, diagnostics: FileDiagnostic[]): Promise<RuledRoot> {
  if (options.root) return { dir: options.root, source: 'flag' };
  const fromEnv = env.AITRACKDOWN_TASKS_DIR || env.AITRACKDOWN_ROOT_DIR;
  if (fromEnv) return { dir: fromEnv, source: 'env' };
  // The repository's own files may only name a folder inside the repository; one leading out is reported and ignored.
  const inside = async (dir: string, origin: NonNullable<RuledRoot['origin']>): Promise<boolean> => {
    try {
      await containedPath(workspaceRoot, dir, `${origin.file} ${origin.key ?? ''}`.trim());
      return true;
    } catch (error) {
      if (!(error instanceof PathEscapeError)) throw error;
      diagnostics.push({ ...origin, message: `${error.message}; the default ticket folder is used`, severity: 'error' });
      return false;
    }
  };
  const configOrigin = { file: join(workspaceRoot, TRACKDOWN_DIR, CONFIG_YAML), line: config?.directoryLine, key: config?.directoryKey };
  if (config?.directory && (await inside(config.directory, configOrigin))) return { dir: config.directory, source: 'config', origin: configOrigin };
  const legacyPath = join(workspaceRoot, '.aitrackdown.json');
  const legacy = await readLegacyRoot(legacyPath, diagnostics);
  const legacyOrigin = { file: legacyPath, key: 'rootDir' };
  if (legacy && (await inside(legacy, legacyOrigin))) return { dir: legacy, source: 'legacy', origin: legacyOrigin };
  const preferred = config?.format === 'pytools' ? 'tickets' : 'tasks';
  const other = preferred === 'tasks' ? 'tickets' : 'tasks';
  // A tree under the other conventional name (claude-multiagent-pm keeps `tickets/`) beats an empty default.
  if (!(await isDirectory(join(workspaceRoot, preferred))) && (await isDirectory(join(workspaceRoot, other)))) return { dir: other, source: 'default' };
  return { dir: preferred, source: 'default' };
}

function relativeName(workspaceRoot: string, root: string): string {
  return root.startsWith(workspaceRoot + '/') ? root.slice(workspaceRoot.length + 1) : root;
}

/**
 * The workspace a ticket command run from `start` acts on, so that a command run inside `tickets/issues` still sees
 * the whole tree: the nearest folder above that holds ai-trackdown's config, `.claude-pm/` or `.git` (a repository
 * is a boundary); without any, the folder above the nearest conventional root (`tasks/`, `tickets/`); else `start`.
 */
export async function findTicketWorkspace(start: string): Promise<string> {
  const from = resolve(start);
  let aboveRoot: string | undefined;
  for (let dir = from; ; dir = dirname(dir)) {
    for (const marker of WORKSPACE_MARKERS) if (await pathExists(join(dir, marker))) return dir;
    // `tasks/tasks` is the task folder of the root `tasks/`: the root is the outer one.
    if (!aboveRoot && CONVENTIONAL_ROOTS.has(basename(dir)) && !CONVENTIONAL_ROOTS.has(basename(dirname(dir)))) aboveRoot = dirname(dir);
    if (dirname(dir) === dir) return aboveRoot ?? from;
  }
}

const WORKSPACE_MARKERS = [TRACKDOWN_DIR, '.aitrackdown.json', '.claude-pm', '.git'];
const CONVENTIONAL_ROOTS = new Set(['tasks', 'tickets']);

export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

interface ReadConfig {
  format: TicketFormat;
  directory?: string;
  /** Line and key path of the setting that named `directory`. */
  directoryLine?: number;
  directoryKey?: string;
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
    const result = configSchemas().pytoolsConfig.safeParse(record);
    if (!result.success) {
      diagnostics.push({ file: path, key: result.error.issues[0]?.path.join('.'), message: `${result.error.issues[0]?.message}; using defaults`, severity: 'warning' });
      return { format: 'pytools' };
    }
    return { format: 'pytools', directory: result.data.tasks?.directory, directoryKey: 'tasks.directory', directoryLine: lineOfKey(text, 'directory') };
  }
  const result = configSchemas().toolsConfig.safeParse(record);
  if (!result.success) {
    diagnostics.push({ file: path, key: result.error.issues[0]?.path.join('.'), message: `${result.error.issues[0]?.message}; using defaults`, severity: 'warning' });
    return { format: 'tools' };
  }
  return { format: 'tools', directory: result.data.tasks_directory, directoryKey: 'tasks_directory', directoryLine: lineOfKey(text, 'tasks_directory'), tools: result.data };
}

/** 1-based line of the first `key:` in a YAML text, indented or not. */
function lineOfKey(text: string, key: string): number | undefined {
  const index = text.split('\n').findIndex((line) => line.trimStart().startsWith(`${key}:`));
  return index === -1 ? undefined : index + 1;
}

async function readLegacyRoot(path: string, diagnostics: FileDiagnostic[]): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const result = configSchemas().legacyRoot.safeParse(JSON.parse(text));
    if (result.success) return result.data.rootDir;
    diagnostics.push({ file: path, message: 'expected {"rootDir": "..."}; ignored', severity: 'warning' });
  } catch (error) {
    diagnostics.push({ file: path, message: `invalid JSON: ${(error as Error).message}; ignored`, severity: 'warning' });
  }
  return undefined;
}

// Type folders live below the ticket root: a relative path without `..`; one that is not is reported and replaced
// by its default.
function containedStructure(configured: Partial<TicketStructure>, configPath: string, diagnostics: FileDiagnostic[]): TicketStructure {
  const structure = { ...DEFAULT_STRUCTURE };
  for (const [type, dir] of Object.entries(configured) as [keyof TicketStructure, string][]) {
    const problem = relativePathProblem(dir);
    if (!problem) structure[type] = dir;
    else diagnostics.push({ file: configPath, key: `structure.${type}_dir`, message: `'${dir}' ${problem}; only folders inside the ticket root are allowed, so '${DEFAULT_STRUCTURE[type]}' is used`, severity: 'error' });
  }
  return structure;
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

import { readdir, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, relative, sep } from 'node:path';
import type { FileDiagnostic } from '../config/diagnostics';
import { canonicalAgentType } from './agentTypes';
import { parseAgentFile, type ParsedAgent } from './parseAgentFile';

// Agents come from three tiers, project → user → system; the first definition of a type wins and the
// others are kept as what it shadows. The directories are every layout the framework used (formats.md §2).

export type AgentTier = 'project' | 'user' | 'system';
export const AGENT_TIERS: readonly AgentTier[] = ['project', 'user', 'system'];

export interface AgentSource {
  tier: AgentTier;
  dir: string;
}

export interface AgentDefinition extends ParsedAgent {
  tier: AgentTier;
  filePath: string;
}

export interface ResolvedAgent extends AgentDefinition {
  /** Definitions of the same type this one overrides, in precedence order. */
  shadows: AgentDefinition[];
}

export interface AgentCatalog {
  /** One agent per type, the winner, sorted by tier then type. */
  agents: ResolvedAgent[];
  /** The shared instructions prepended to every agent prompt, when a `base_agent.md` exists. */
  baseAgent?: { filePath: string; tier: AgentTier; text: string };
  diagnostics: FileDiagnostic[];
  sources: AgentSource[];
}

export interface DiscoveryOptions {
  projectRoot: string;
  /** The user's home (user tier); defaults to the OS home. */
  homeDir?: string;
  /** The built-in agents shipped with the extension. */
  systemDir?: string;
}

const MAX_AGENT_FILE_BYTES = 1024 * 1024;
const MAX_SCAN_DEPTH = 4;
const SKIPPED = /^(AGENT_TEMPLATE|README|CHANGELOG)\.md$/i;

/** The directories searched, most specific first. */
export function agentSources({ projectRoot, homeDir = homedir(), systemDir }: DiscoveryOptions): AgentSource[] {
  const project = join(projectRoot, '.claude-pm', 'agents');
  const sources: AgentSource[] = [
    { tier: 'project', dir: join(project, 'project-specific') },
    { tier: 'project', dir: join(project, 'project') },
    { tier: 'project', dir: join(projectRoot, '.claude', 'agents') },
    { tier: 'user', dir: join(project, 'user-agents') },
  ];
  // CLAUDE.md's user tier also walks up the parent directories (stopping at home).
  for (let dir = dirname(projectRoot); dir !== dirname(dir) && dir !== homeDir; dir = dirname(dir)) {
    sources.push({ tier: 'user', dir: join(dir, '.claude-pm', 'agents', 'user-agents') });
  }
  sources.push(
    { tier: 'user', dir: join(homeDir, '.claude-pm', 'agents', 'user-defined') },
    { tier: 'user', dir: join(homeDir, '.claude-pm', 'agents', 'user') },
    { tier: 'user', dir: join(homeDir, '.claude', 'agents') },
  );
  if (systemDir) sources.push({ tier: 'system', dir: systemDir });
  // A project at the home folder would list some folders twice; the first (most specific) tier keeps them.
  const seen = new Set<string>();
  return sources.filter((s) => !seen.has(s.dir) && seen.add(s.dir));
}

/** Reads every agent of every tier; unreadable or malformed files become diagnostics, never exceptions. */
export async function discoverAgents(options: DiscoveryOptions): Promise<AgentCatalog> {
  const sources = agentSources(options);
  const diagnostics: FileDiagnostic[] = [];
  const perSource = await Promise.all(sources.map((source) => readSource(source, diagnostics)));
  const byType = new Map<string, ResolvedAgent>();
  let baseAgent: AgentCatalog['baseAgent'];
  for (const { definitions, base } of perSource) {
    baseAgent ??= base;
    for (const definition of definitions) {
      const winner = byType.get(definition.type);
      if (!winner) byType.set(definition.type, { ...definition, shadows: [] });
      else {
        winner.shadows.push(definition);
        if (winner.tier === definition.tier) {
          diagnostics.push({ file: definition.filePath, message: `the agent type '${definition.type}' is also defined by ${winner.filePath} in the same tier, which wins`, severity: 'warning' });
        }
      }
    }
  }
  const tierOrder = (t: AgentTier) => AGENT_TIERS.indexOf(t);
  const agents = [...byType.values()].sort((a, b) => tierOrder(a.tier) - tierOrder(b.tier) || a.type.localeCompare(b.type));
  return { agents, baseAgent, diagnostics, sources };
}

async function readSource(source: AgentSource, diagnostics: FileDiagnostic[]): Promise<{ definitions: AgentDefinition[]; base?: AgentCatalog['baseAgent'] }> {
  const files = await listMarkdown(source.dir, 0, diagnostics);
  // Canonical `<type>-agent.md` files come before loose profiles such as `engineer.md` of the same type.
  files.sort((a, b) => Number(!/[-_]agent\.md$/i.test(a)) - Number(!/[-_]agent\.md$/i.test(b)) || a.localeCompare(b));
  const wanted = files.filter((f) => !SKIPPED.test(basename(f)) && !/\.backup/i.test(basename(f)));
  const texts = await mapLimit(wanted, 32, (f) => readAgentText(f, diagnostics));
  const definitions: AgentDefinition[] = [];
  let base: AgentCatalog['baseAgent'];
  for (const [index, filePath] of wanted.entries()) {
    const name = basename(filePath);
    const text = texts[index];
    if (text === undefined) continue;
    if (/^base[-_]agent\.md$/i.test(name)) {
      if (!base && relative(source.dir, filePath) === name) base = { filePath, tier: source.tier, text: text.trim() };
      continue;
    }
    const { agent, diagnostics: found } = parseAgentFile(filePath, text, name.replace(/\.md$/i, ''));
    diagnostics.push(...found);
    if (agent) definitions.push({ ...agent, tier: source.tier, filePath });
  }
  return { definitions, base };
}

async function listMarkdown(dir: string, depth: number, diagnostics: FileDiagnostic[]): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') diagnostics.push({ file: dir, message: `cannot read the agents folder: ${(error as Error).message}`, severity: 'error' });
    return [];
  }
  const out: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && depth < MAX_SCAN_DEPTH && !entry.name.startsWith('.') && entry.name !== 'node_modules') out.push(...(await listMarkdown(path, depth + 1, diagnostics)));
    else if ((entry.isFile() || entry.isSymbolicLink()) && entry.name.toLowerCase().endsWith('.md')) out.push(path);
  }
  return out;
}

async function readAgentText(filePath: string, diagnostics: FileDiagnostic[]): Promise<string | undefined> {
  try {
    const info = await stat(filePath);
    if (!info.isFile()) return undefined;
    if (info.size > MAX_AGENT_FILE_BYTES) {
      diagnostics.push({ file: filePath, message: `the agent file is ${Math.round(info.size / 1024)} KiB, over the ${MAX_AGENT_FILE_BYTES / 1024} KiB limit; it is ignored`, severity: 'error' });
      return undefined;
    }
    return await readFile(filePath, 'utf8');
  } catch (error) {
    diagnostics.push({ file: filePath, message: `cannot read: ${(error as Error).message}`, severity: 'error' });
    return undefined;
  }
}

/** Finds an agent by any of its names (`data`, `Data Engineer`, `data_engineer`). */
export function findAgent(catalog: AgentCatalog, nameOrType: string): ResolvedAgent | undefined {
  const type = canonicalAgentType(nameOrType);
  return catalog.agents.find((a) => a.type === type) ?? catalog.agents.find((a) => canonicalAgentType(a.name) === type);
}

/** A short path for display: relative to the project when inside it. */
export function displayPath(projectRoot: string, filePath: string): string {
  const rel = relative(projectRoot, filePath);
  return rel.startsWith('..') || rel.startsWith(sep) ? filePath : rel;
}

/** Maps with at most `limit` calls in flight, keeping the order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      out[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

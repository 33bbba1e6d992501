import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ComplianceItem } from '../common/compliance';
import { CONFIG_DIR, CONFIG_FILE, parseConfigText } from '../config/loadConfig';

// The folders the framework auto-creates in a project's `.claude-pm/` (formats.md §1, ".claude-pm/ layout").
export const LAYOUT_DIRS = ['logs', 'agents/project-specific', 'templates', 'memory'] as const;

export const INIT_LAYOUT_COMMAND = 'claudePm.health.initLayout';

/** The `.claude-pm` layout check: the folder, its sub-folders, a valid config.json, and a README. */
export async function layoutCompliance(projectRoot: string): Promise<ComplianceItem[]> {
  const root = join(projectRoot, CONFIG_DIR);
  const hasRoot = await isDirectory(root);
  const missing: string[] = [];
  for (const dir of LAYOUT_DIRS) if (!(await isDirectory(join(root, dir)))) missing.push(`${CONFIG_DIR}/${dir}`);
  return [
    {
      id: 'layout.folder',
      title: 'Framework folder',
      passed: hasRoot,
      severity: 'error',
      detail: hasRoot ? `${CONFIG_DIR}/ exists` : `${CONFIG_DIR}/ is missing: the framework has not been set up in this project`,
      fixHint: hasRoot ? undefined : 'Create the framework folders.',
      fixCommand: hasRoot ? undefined : INIT_LAYOUT_COMMAND,
    },
    {
      id: 'layout.subfolders',
      title: 'Framework sub-folders',
      passed: missing.length === 0,
      severity: 'warning',
      detail: missing.length === 0 ? 'logs, agents, templates and memory folders exist' : `missing: ${missing.join(', ')}`,
      fixHint: missing.length === 0 ? undefined : 'Create the missing framework folders.',
      fixCommand: missing.length === 0 ? undefined : INIT_LAYOUT_COMMAND,
    },
    await configItem(join(root, CONFIG_FILE)),
    await readmeItem(projectRoot),
  ];
}

/** Creates the missing `.claude-pm` folders; existing files are never touched. Returns what it created. */
export async function initLayout(projectRoot: string): Promise<string[]> {
  const created: string[] = [];
  for (const dir of LAYOUT_DIRS) {
    const path = join(projectRoot, CONFIG_DIR, dir);
    if (await isDirectory(path)) continue;
    await mkdir(path, { recursive: true });
    created.push(`${CONFIG_DIR}/${dir}`);
  }
  return created;
}

async function configItem(configPath: string): Promise<ComplianceItem> {
  const base = { id: 'layout.config', title: 'Framework configuration', severity: 'error' as const };
  let text: string;
  try {
    text = await readFile(configPath, 'utf8');
  } catch {
    return { ...base, passed: true, detail: `no ${CONFIG_DIR}/${CONFIG_FILE}: defaults apply` };
  }
  const errors = parseConfigText(configPath, text).diagnostics.filter((d) => d.severity === 'error');
  if (errors.length === 0) return { ...base, passed: true, detail: `${CONFIG_DIR}/${CONFIG_FILE} is valid` };
  return {
    ...base,
    passed: false,
    detail: `${CONFIG_DIR}/${CONFIG_FILE}: ${errors.map((e) => `${e.line ? `line ${e.line}: ` : ''}${e.key ? `${e.key}: ` : ''}${e.message}`).join('; ')}`,
    fixHint: 'Fix the reported values in the configuration file; invalid values fall back to defaults until then.',
    fixCommand: 'claudePm.openSettings',
  };
}

async function readmeItem(projectRoot: string): Promise<ComplianceItem> {
  const present = (await Promise.all(['README.md', 'readme.md', 'README'].map((n) => isFile(join(projectRoot, n))))).some(Boolean);
  return {
    id: 'project.readme',
    title: 'README',
    passed: present,
    severity: 'warning',
    detail: present ? 'README.md exists' : 'README.md is missing (the framework scores it for every managed project)',
    fixHint: present ? undefined : 'Add a README.md describing the project.',
  };
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isFile(), () => false);
}

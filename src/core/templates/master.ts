// The master CLAUDE.md: the template file plus the VERSION file next to it (framework/VERSION).

import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { containedPath } from '../common/containedPath';
import { CONFIG_DIR, CONFIG_FILE } from '../config/loadConfig';
import { isFrameworkOwned, parseMetadata } from './metadata';
import { findVariables } from './render';
import { parseVersion, type TemplateVersion } from './version';

/** Templates are a few hundred KB at most; anything far bigger is not a CLAUDE.md master. */
export const MAX_TEMPLATE_BYTES = 4 * 1024 * 1024;

export interface MasterTemplate {
  path: string;
  text: string;
  /** Value for CLAUDE_MD_VERSION: the template's literal one, else its VERSION file. */
  claudeMdVersion: string;
  /** Value for FRAMEWORK_VERSION: the VERSION file, else the CLAUDE_MD_VERSION. */
  frameworkVersion: string;
  version: TemplateVersion;
}

export class TemplateError extends Error {
  override name = 'TemplateError';
}

/** Reads and checks a master template; throws TemplateError with the reason when it is unusable. */
export async function loadMasterTemplate(path: string): Promise<MasterTemplate> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    throw new TemplateError(`cannot read the master template ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (size > MAX_TEMPLATE_BYTES) throw new TemplateError(`${path} is ${size} bytes; a CLAUDE.md master may be at most ${MAX_TEMPLATE_BYTES}`);
  const text = await readFile(path, 'utf8');
  if (!isFrameworkOwned(text)) throw new TemplateError(`${path} is not a framework template: its first line must be the framework header`);
  findVariables(path, text); // syntax errors surface here, before any deploy
  const versionFile = (await readFile(join(dirname(path), 'VERSION'), 'utf8').catch(() => '')).trim() || undefined;
  const literal = parseMetadata(text).claudeMdVersion;
  const claudeMdVersion = literal ?? versionFile;
  const version = parseVersion(claudeMdVersion);
  if (!claudeMdVersion || !version) {
    throw new TemplateError(`${path} has no usable CLAUDE_MD_VERSION (found ${JSON.stringify(claudeMdVersion ?? null)}) and no VERSION file next to it`);
  }
  return { path, text, claudeMdVersion, frameworkVersion: versionFile ?? claudeMdVersion, version };
}

/** The master shipped with the extension and the CLI (`resources/templates/CLAUDE.md`), found from `fromDir` upward. */
export function bundledMasterPath(fromDir: string = __dirname): string {
  let dir = fromDir;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'resources', 'templates', 'CLAUDE.md');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new TemplateError(`the bundled master template (resources/templates/CLAUDE.md) was not found above ${fromDir}`);
}

/**
 * Which master to use: an explicit path (the user's own choice), else the project's configured `templates.master`,
 * which must lie inside the project (a repository's config may not render a file from elsewhere), else the
 * bundled one.
 */
export async function resolveMasterPath(projectRoot: string, explicit?: string, configured?: string): Promise<string> {
  if (explicit) return isAbsolute(explicit) ? explicit : resolve(projectRoot, explicit);
  if (configured) return containedPath(projectRoot, configured, `${join(CONFIG_DIR, CONFIG_FILE)} templates.master`);
  return bundledMasterPath();
}

// Where CLAUDE.md goes. The real framework deploys to the project's parent (`<project>/../CLAUDE.md`) and keeps
// one framework copy per directory chain (the rootmost); ours can also target the project itself.

import { open, readFile, stat } from 'node:fs/promises';
import { dirname, join, parse } from 'node:path';
import type { TemplateTarget } from '../config/schema';
import { FRAMEWORK_DEV_MARKER, isFrameworkOwned } from './metadata';

export const CLAUDE_MD = 'CLAUDE.md';

/** The file a target mode names, before de-duplication. */
export function targetPath(projectRoot: string, mode: TemplateTarget): string {
  switch (mode) {
    case 'parent':
      return join(dirname(projectRoot), CLAUDE_MD);
    case 'project':
      return join(projectRoot, CLAUDE_MD);
    case 'claudePmDir':
      return join(projectRoot, '.claude-pm', CLAUDE_MD);
  }
}

/** The first bytes of a file, or undefined when it does not exist (or is not a regular file). */
export async function readHead(path: string, bytes = 4096): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
    if (!(await handle.stat()).isFile()) return undefined;
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } catch (error) {
    if (['ENOENT', 'ENOTDIR', 'EISDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw error;
  } finally {
    await handle?.close();
  }
}

/**
 * Framework-owned CLAUDE.md files from `startDir` up to `ceiling` (default: the filesystem root),
 * nearest first. Foreign files are not listed: they are never touched.
 */
export async function ownedCopiesUpward(startDir: string, ceiling?: string): Promise<string[]> {
  const found: string[] = [];
  let dir = startDir;
  for (;;) {
    const path = join(dir, CLAUDE_MD);
    const head = await readHead(path);
    if (head !== undefined && isFrameworkOwned(head)) found.push(path);
    if (dir === ceiling || dir === parse(dir).root) return found;
    dir = dirname(dir);
  }
}

async function fileText(path: string): Promise<string | undefined> {
  try {
    if ((await stat(path)).size > 1024 * 1024) return undefined;
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The framework's own source tree, which the real tool refuses to deploy over: a pyproject.toml or
 * package.json naming the framework, a `claude_pm/` package, or a developers-only CLAUDE.md.
 */
export async function isFrameworkSourceTree(dir: string): Promise<boolean> {
  const [pyproject, pkg, claudeMd, pkgDir] = await Promise.all([
    fileText(join(dir, 'pyproject.toml')),
    fileText(join(dir, 'package.json')),
    fileText(join(dir, CLAUDE_MD)),
    stat(join(dir, 'claude_pm')).then((s) => s.isDirectory(), () => false),
  ]);
  if (pkgDir) return true;
  if (pyproject && /^\s*name\s*=\s*["']claude-multiagent-pm["']/m.test(pyproject)) return true;
  if (pkg) {
    try {
      if ((JSON.parse(pkg) as { name?: unknown }).name === '@bobmatnyc/claude-multiagent-pm') return true;
    } catch {
      // A broken package.json says nothing about the framework.
    }
  }
  return claudeMd?.includes(FRAMEWORK_DEV_MARKER) ?? false;
}

export interface ResolvedTarget {
  /** The file deploy writes and rollback restores. */
  path: string;
  /** Other framework-owned copies in the same chain, removed (after a backup) on deploy. */
  duplicates: string[];
}

/**
 * The effective target. An explicit directory or a project-level mode is used as is. In `parent` mode the
 * rootmost framework copy at or above the parent wins, and every other owned copy upward is a duplicate.
 */
export async function resolveTarget(projectRoot: string, mode: TemplateTarget, options: { targetDir?: string; ceiling?: string } = {}): Promise<ResolvedTarget> {
  if (options.targetDir) return { path: join(options.targetDir, CLAUDE_MD), duplicates: [] };
  if (mode !== 'parent') return { path: targetPath(projectRoot, mode), duplicates: [] };
  const fallback = targetPath(projectRoot, 'parent');
  const owned = await ownedCopiesUpward(projectRoot, options.ceiling);
  const rootmost = owned.at(-1);
  const path = rootmost && rootmost !== join(projectRoot, CLAUDE_MD) ? rootmost : fallback;
  return { path, duplicates: owned.filter((p) => p !== path) };
}

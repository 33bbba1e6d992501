// Deploys the master CLAUDE.md: render, compare versions numerically, back up, write atomically, record.
// Order matters for crash safety: backup first, then the atomic write, then the state files. A crash
// at any point leaves the old or the new file, and a backup whenever the content changed.

import { readFile, rm } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import type { TemplateTarget } from '../config/schema';
import { backupFrameworkTemplate, frameworkBackupDir, parentBackupDir, pruneParentBackups, writeParentBackup } from './backups';
import type { MasterTemplate } from './master';
import { isFrameworkOwned, parseMetadata } from './metadata';
import { renderTemplate } from './render';
import { runtimeVariables } from './runtimeVariables';
import { removeStaleTemps } from './staleTemps';
import { DeploymentState, stateDir } from './state';
import { isFrameworkSourceTree, resolveTarget } from './targets';
import { compareVersions, type TemplateVersion } from './version';
import { writeFileAtomic } from '../common/atomicFile';
import { containedPath } from '../common/containedPath';

export type DeployAction = 'created' | 'updated' | 'unchanged' | 'refused';

export interface DeployOptions {
  projectRoot: string;
  master: MasterTemplate;
  mode?: TemplateTarget;
  /** Deploy into this directory instead (no de-duplication). */
  targetDir?: string;
  /** Rewrite an owned file even when its version is not older. Never touches a foreign file. */
  force?: boolean;
  dryRun?: boolean;
  /** Allow deploying into the framework's own source tree. */
  frameworkDev?: boolean;
  /** From `.claude-pm/config.json` `template_variables`. */
  variables?: Record<string, string>;
  now?: Date;
  /** Highest directory the upward de-duplication looks at (default: the filesystem root). */
  ceiling?: string;
}

/** A framework copy removed after a backup (on a dry run: one that would be removed, with no backup yet). */
export interface RemovedDuplicate {
  path: string;
  backup: string | null;
}

export interface DeployResult {
  target: string;
  action: DeployAction;
  from_version: string | null;
  to_version: string;
  backup: string | null;
  /** Why nothing was written (refused, or unchanged because the deployed copy is current or newer). */
  reason?: string;
  removed: RemovedDuplicate[];
  /** The target's current text, and what deploy writes (or would write): for diff previews. */
  current?: string;
  rendered?: string;
}

async function readIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The duplicate with the highest version above `floor`, if any. */
async function newestDuplicate(duplicates: readonly string[], floor: TemplateVersion): Promise<{ text: string; version: TemplateVersion } | undefined> {
  let best: { text: string; version: TemplateVersion } | undefined;
  for (const path of duplicates) {
    const text = (await readIfExists(path))?.toString('utf8');
    const version = text === undefined ? undefined : parseMetadata(text).version;
    if (text !== undefined && version && compareVersions(version, best?.version ?? floor) > 0) best = { text, version };
  }
  return best;
}

export async function deployClaudeMd(options: DeployOptions): Promise<DeployResult> {
  const { projectRoot, master } = options;
  const now = options.now ?? new Date();
  const resolved = await resolveTarget(projectRoot, options.mode ?? 'parent', options);
  const base = { target: resolved.path, to_version: master.claudeMdVersion, backup: null, removed: [] };
  if (!options.frameworkDev && (await isFrameworkSourceTree(projectRoot))) {
    return { ...base, action: 'refused', from_version: null, reason: `${projectRoot} is the framework's own source tree; deploying there needs --framework-dev` };
  }
  const currentBytes = await readIfExists(resolved.path);
  const current = currentBytes?.toString('utf8');
  const rendered = renderTemplate({
    file: master.path,
    text: master.text,
    configured: options.variables ?? {},
    claudeMdVersion: master.claudeMdVersion,
    frameworkVersion: master.frameworkVersion,
    deploymentDir: dirname(resolved.path),
    now,
    runtime: await runtimeVariables(dirname(resolved.path), now),
  });
  const currentMeta = current === undefined ? undefined : parseMetadata(current);
  const fromVersion = currentMeta?.claudeMdVersion ?? currentMeta?.frameworkVersion ?? null;
  if (current !== undefined && !isFrameworkOwned(current)) {
    return { ...base, action: 'refused', from_version: fromVersion, reason: `${resolved.path} is not managed by the framework (its first line is not the framework header); it is never overwritten`, current, rendered };
  }

  // Like the real tool, the copy that is kept receives the newest version seen among the duplicates,
  // when that beats both the template and what the kept copy already has (unless forced to the template).
  const carried = options.force ? undefined : await newestDuplicate(resolved.duplicates, master.version);
  const source = carried && (!currentMeta?.version || compareVersions(carried.version, currentMeta.version) > 0) ? carried : undefined;
  const content = source?.text ?? rendered;
  const sourceVersion = source?.version ?? master.version;

  let action: DeployAction = current === undefined ? 'created' : 'updated';
  let reason: string | undefined;
  if (currentMeta?.version && !options.force) {
    const cmp = compareVersions(sourceVersion, currentMeta.version);
    if (cmp <= 0) {
      action = 'unchanged';
      reason = cmp === 0 ? `already at version ${sourceVersion.raw}` : `the deployed version ${fromVersion} is newer than the template's ${master.claudeMdVersion}`;
    }
  }
  const plan: DeployResult = { ...base, to_version: sourceVersion.raw, action, from_version: fromVersion, current, rendered: content, ...(reason ? { reason } : {}) };
  if (options.dryRun) return { ...plan, removed: resolved.duplicates.map((path) => ({ path, backup: null })) };
  if (action === 'unchanged' && resolved.duplicates.length === 0) return plan;

  // The project's own targets stay in the project even when a folder on the way is a symbolic link.
  if ((options.mode ?? 'parent') !== 'parent' && !options.targetDir) await containedPath(projectRoot, relative(projectRoot, resolved.path), `the CLAUDE.md target (${options.mode})`);
  const state = await DeploymentState.load(projectRoot);
  const stamp = now.toISOString();
  const keep = new Set<string>();
  if (action !== 'unchanged') {
    if (currentBytes) {
      plan.backup = await writeParentBackup(projectRoot, currentBytes, now);
      keep.add(plan.backup);
      state.record({ timestamp: stamp, operation: 'backup', target: resolved.path, success: true, backup: plan.backup });
    }
    await writeFileAtomic(resolved.path, content);
    state.manage(dirname(resolved.path), options.variables ?? {});
    state.record({ timestamp: stamp, operation: 'deploy', target: resolved.path, success: true, action, from_version: fromVersion, to_version: plan.to_version, backup: plan.backup });
  }
  for (const duplicate of resolved.duplicates) {
    const bytes = await readIfExists(duplicate);
    // Re-checked just before removal: a file that stopped being ours in the meantime is left alone.
    if (!bytes || !isFrameworkOwned(bytes.toString('utf8', 0, 4096))) continue;
    const backup = await writeParentBackup(projectRoot, bytes, now);
    keep.add(backup);
    await rm(duplicate);
    plan.removed.push({ path: duplicate, backup });
    state.record({ timestamp: stamp, operation: 'remove_duplicate', target: duplicate, success: true, backup });
  }
  // Bookkeeping after the target is safe; independent files, so written side by side.
  await Promise.all([
    action === 'unchanged' ? undefined : backupFrameworkTemplate(projectRoot, master.text, now),
    pruneParentBackups(projectRoot, now, keep),
    state.save(),
    removeStaleTemps(dirname(resolved.path), basename(resolved.path)),
    ...[parentBackupDir(projectRoot), frameworkBackupDir(projectRoot), join(stateDir(projectRoot), 'configs'), join(stateDir(projectRoot), 'logs')].map((dir) => removeStaleTemps(dir)),
  ]);
  return plan;
}

// Restores a CLAUDE.md from its backups: the newest, or the one named by its timestamp. The current file is
// backed up first, so a rollback can itself be rolled back.

import { readFile } from 'node:fs/promises';
import type { TemplateTarget } from '../config/schema';
import { listParentBackups, writeParentBackup, type BackupEntry } from './backups';
import { isFrameworkOwned, parseMetadata } from './metadata';
import { DeploymentState } from './state';
import { readHead, resolveTarget } from './targets';
import { writeFileAtomic } from '../common/atomicFile';

export class RollbackError extends Error {
  override name = 'RollbackError';
}

export interface BackupInfo extends BackupEntry {
  /** CLAUDE_MD_VERSION inside the backup, when readable. */
  version?: string;
}

/** The backups that belong to `target`, oldest first. */
export async function backupsForTarget(projectRoot: string, target: string, state?: DeploymentState): Promise<BackupEntry[]> {
  const all = await listParentBackups(projectRoot);
  const mine = (state ?? (await DeploymentState.load(projectRoot))).backupsFor(target, all.map((b) => b.path));
  return all.filter((b) => mine.has(b.path));
}

export interface RollbackOptions {
  projectRoot: string;
  mode?: TemplateTarget;
  targetDir?: string;
  /** `YYYYMMDD_HHMMSS` (the newest backup of that second) or a full key `YYYYMMDD_HHMMSS_NN`. */
  timestamp?: string;
  ceiling?: string;
  now?: Date;
}

export interface RollbackResult {
  target: string;
  restored: string;
  /** Backup of the file that was replaced; null when there was none or nothing changed. */
  backup: string | null;
  changed: boolean;
}

function pick(backups: BackupEntry[], timestamp: string | undefined): BackupEntry | undefined {
  if (!timestamp) return backups.at(-1);
  const wanted = timestamp.replace(/^CLAUDE(?:\.md)?_/, '').replace(/\.backup$/, '');
  return backups.findLast((b) => b.key === wanted) ?? backups.findLast((b) => b.key.startsWith(`${wanted}_`));
}

export async function rollbackClaudeMd(options: RollbackOptions): Promise<RollbackResult> {
  const { projectRoot } = options;
  const { path: target } = await resolveTarget(projectRoot, options.mode ?? 'parent', options);
  const state = await DeploymentState.load(projectRoot);
  const backups = await backupsForTarget(projectRoot, target, state);
  if (backups.length === 0) throw new RollbackError(`no backups of ${target} in .claude-pm/backups/parent_directory_manager`);
  const chosen = pick(backups, options.timestamp);
  if (!chosen) throw new RollbackError(`no backup of ${target} matches ${options.timestamp}; available: ${backups.map((b) => b.key).join(', ')}`);
  const restored = await readFile(chosen.path);
  let current: Buffer | undefined;
  try {
    current = await readFile(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (current && !isFrameworkOwned(current.toString('utf8', 0, 4096))) {
    throw new RollbackError(`${target} is not managed by the framework (its first line is not the framework header); it is never overwritten`);
  }
  if (current?.equals(restored)) return { target, restored: chosen.path, backup: null, changed: false };
  const now = options.now ?? new Date();
  let backup: string | null = null;
  if (current) {
    backup = await writeParentBackup(projectRoot, current, now);
    state.record({ timestamp: now.toISOString(), operation: 'backup', target, success: true, backup });
  }
  await writeFileAtomic(target, restored);
  state.record({ timestamp: now.toISOString(), operation: 'restore', target, success: true, backup: chosen.path });
  await state.save();
  return { target, restored: chosen.path, backup, changed: true };
}

/** Backups of a target with the version each holds, newest first (for pickers). */
export async function describeBackups(projectRoot: string, target: string): Promise<BackupInfo[]> {
  const backups = await backupsForTarget(projectRoot, target);
  const infos = await Promise.all(
    backups.map(async (b) => {
      const version = parseMetadata((await readHead(b.path)) ?? '').claudeMdVersion;
      return version ? { ...b, version } : b;
    }),
  );
  return infos.reverse();
}

// Backups with the real framework's names and places (formats.md §1), so either tool can restore them:
//   parent CLAUDE.md: .claude-pm/backups/parent_directory_manager/CLAUDE.md_YYYYMMDD_HHMMSS[_NN].backup (30 days)
//   master template:  .claude-pm/backups/framework/framework_CLAUDE_md_YYYYMMDD_HHMMSS_mmm.backup (2 newest)

import { randomBytes } from 'node:crypto';
import { link, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../common/atomicFile';

export const BACKUP_RETENTION_DAYS = 30;
export const FRAMEWORK_BACKUPS_KEPT = 2;

export function parentBackupDir(projectRoot: string): string {
  return join(projectRoot, '.claude-pm', 'backups', 'parent_directory_manager');
}

export function frameworkBackupDir(projectRoot: string): string {
  return join(projectRoot, '.claude-pm', 'backups', 'framework');
}

export interface BackupEntry {
  path: string;
  name: string;
  /** `YYYYMMDD_HHMMSS`, or with the collision serial `_NN`: what `rollback --to` matches. */
  key: string;
  date: Date;
  /** Orders backups made in the same second (collision serial, or HEAD's milliseconds). */
  serial: number;
}

// v1.2.0 names (CLAUDE.md_<ts>[_NN].backup) and HEAD names (CLAUDE_<ts>_<ms>.backup) are both read.
const PARENT_NAME = /^CLAUDE(?:\.md)?_(\d{8})_(\d{6})(?:_(\d+))?\.backup$/;
const FRAMEWORK_NAME = /^framework_CLAUDE_md_(\d{8})_(\d{6})_(\d{3})\.backup$/;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Local time as `YYYYMMDD_HHMMSS`, as the framework names its backups. */
export function backupStamp(date: Date): string {
  return `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}_${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`;
}

function stampDate(day: string, time: string): Date {
  const n = (s: string, from: number, to: number): number => Number(s.slice(from, to));
  return new Date(n(day, 0, 4), n(day, 4, 6) - 1, n(day, 6, 8), n(time, 0, 2), n(time, 2, 4), n(time, 4, 6));
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

function byAge(a: BackupEntry, b: BackupEntry): number {
  return a.date.getTime() - b.date.getTime() || a.serial - b.serial;
}

/** Backups of parent-directory CLAUDE.md files, oldest first. */
export async function listParentBackups(projectRoot: string): Promise<BackupEntry[]> {
  const dir = parentBackupDir(projectRoot);
  const entries: BackupEntry[] = [];
  for (const name of await listDir(dir)) {
    const m = PARENT_NAME.exec(name);
    if (!m) continue;
    const serial = m[3] === undefined ? 0 : Number(m[3]);
    entries.push({ path: join(dir, name), name, key: `${m[1]}_${m[2]}${m[3] === undefined ? '' : `_${m[3]}`}`, date: stampDate(m[1]!, m[2]!), serial });
  }
  return entries.sort(byAge);
}

/**
 * Writes a backup of `content` under a fresh name (`_NN` on collision) and returns its path. The content is
 * written to a temp file first and hard-linked into place, which fails instead of overwriting when another
 * process took the same name in the meantime.
 */
export async function writeParentBackup(projectRoot: string, content: Uint8Array, now: Date): Promise<string> {
  const dir = parentBackupDir(projectRoot);
  const staging = join(dir, `.staging.${process.pid}.${randomBytes(4).toString('hex')}`);
  await writeFileAtomic(staging, content);
  try {
    const taken = new Set(await listDir(dir));
    const stamp = backupStamp(now);
    for (let serial = 0; ; serial++) {
      const name = serial === 0 ? `CLAUDE.md_${stamp}.backup` : `CLAUDE.md_${stamp}_${pad(serial)}.backup`;
      if (taken.has(name)) continue;
      try {
        await link(staging, join(dir, name));
        return join(dir, name);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
  } finally {
    await rm(staging, { force: true });
  }
}

/** Deletes backups older than the retention period, always keeping the newest and any in `keep`. */
export async function pruneParentBackups(projectRoot: string, now: Date, keep: ReadonlySet<string> = new Set()): Promise<string[]> {
  const entries = await listParentBackups(projectRoot);
  const cutoff = now.getTime() - BACKUP_RETENTION_DAYS * 24 * 3600 * 1000;
  const doomed = entries.slice(0, -1).filter((e) => e.date.getTime() < cutoff && !keep.has(e.path));
  await Promise.all(doomed.map((e) => rm(e.path, { force: true })));
  return doomed.map((e) => e.path);
}

/** Backs up the master template when it differs from the newest backup; keeps the 2 newest. */
export async function backupFrameworkTemplate(projectRoot: string, templateText: string, now: Date): Promise<string | undefined> {
  const dir = frameworkBackupDir(projectRoot);
  const existing = (await listDir(dir))
    .map((name) => ({ name, m: FRAMEWORK_NAME.exec(name) }))
    .filter((e) => e.m)
    .sort((a, b) => a.name.localeCompare(b.name));
  const newest = existing.at(-1);
  if (newest && (await readFile(join(dir, newest.name), 'utf8').catch(() => undefined)) === templateText) return undefined;
  let ms = now.getMilliseconds();
  const taken = new Set(existing.map((e) => e.name));
  const nameFor = (millis: number): string => `framework_CLAUDE_md_${backupStamp(now)}_${pad(millis % 1000, 3)}.backup`;
  while (taken.has(nameFor(ms))) ms++;
  const path = join(dir, nameFor(ms));
  await writeFileAtomic(path, templateText);
  const all = [...existing.map((e) => e.name), nameFor(ms)].sort();
  await Promise.all(all.slice(0, -FRAMEWORK_BACKUPS_KEPT).map((name) => rm(join(dir, name), { force: true })));
  return path;
}

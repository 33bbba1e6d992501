// A deploy killed mid-write leaves its temp files behind: `.<name>.<pid>.<hex>.tmp` from writeFileAtomic and
// `.staging.<pid>.<hex>` from backups. The next deploy removes those whose process is gone.

import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

const ATOMIC_TEMP = /^\.(.+)\.(\d+)\.[0-9a-f]{8}\.tmp$/;
const STAGING = /^\.staging\.(\d+)\.[0-9a-f]{8}$/;

function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes leftover temp files in `dir` whose writer no longer runs. In a user's folder (`only` given) just the
 * temps of that file name are touched; in our own folders, all of them.
 */
export async function removeStaleTemps(dir: string, only?: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const stale = names.filter((name) => {
    const atomic = ATOMIC_TEMP.exec(name);
    const pid = atomic && (only === undefined || atomic[1] === only) ? atomic[2] : only === undefined ? STAGING.exec(name)?.[1] : undefined;
    return pid !== undefined && !isRunning(Number(pid));
  });
  await Promise.all(stale.map((name) => rm(join(dir, name), { force: true })));
  return stale.map((name) => join(dir, name));
}

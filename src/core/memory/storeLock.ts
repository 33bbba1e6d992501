import { randomBytes } from 'node:crypto';
import { open, readFile, rm, stat } from 'node:fs/promises';

const STALE_AFTER_MS = 30_000;
const GIVE_UP_AFTER_MS = 60_000;

/**
 * An inter-process lock file holding `pid token`. A lock whose process is gone (killed writer) or that is
 * older than 30 s is taken over, so a crash never blocks the store. With `wait: false`, a lock held by a live
 * process makes it return undefined at once instead of waiting.
 */
export function withLock<T>(lockPath: string, action: () => Promise<T>): Promise<T>;
export function withLock<T>(lockPath: string, action: () => Promise<T>, options: { wait: false }): Promise<T | undefined>;
export async function withLock<T>(lockPath: string, action: () => Promise<T>, options: { wait?: boolean } = {}): Promise<T | undefined> {
  const token = `${process.pid} ${randomBytes(6).toString('hex')}`;
  const started = Date.now();
  let delay = 1;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx');
      try {
        await handle.writeFile(token);
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (await isStale(lockPath)) {
        await rm(lockPath, { force: true });
        continue;
      }
      if (options.wait === false) return undefined;
      if (Date.now() - started > GIVE_UP_AFTER_MS) throw new Error(`The memory store is locked by another process (${lockPath}).`);
      await new Promise((r) => setTimeout(r, delay + Math.random() * delay));
      delay = Math.min(delay * 2, 20);
    }
  }
  try {
    return await action();
  } finally {
    // Only remove our own lock: if it was taken over as stale, the file now belongs to someone else.
    const current = await readFile(lockPath, 'utf8').catch(() => '');
    if (current === token) await rm(lockPath, { force: true });
  }
}

async function isStale(lockPath: string): Promise<boolean> {
  try {
    const [content, info] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)]);
    const pid = Number(content.split(' ')[0]);
    if (content === '' ) return Date.now() - info.mtimeMs > 1000;
    if (Date.now() - info.mtimeMs > STALE_AFTER_MS) return true;
    if (!Number.isInteger(pid) || pid <= 0) return true;
    if (pid === process.pid) return false;
    try {
      process.kill(pid, 0);
      return false;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ESRCH';
    }
  } catch {
    return false;
  }
}

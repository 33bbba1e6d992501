// One sync per workspace at a time: two (the editor and the CLI, two windows) would each create a ticket for the
// same new issue and overwrite each other's state. A lock left by a process that is gone is taken over.

import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

export class SyncBusyError extends Error {
  constructor(pid: number, since: string) {
    super(`another GitHub sync of this workspace is running (process ${pid}, since ${since}); run this one when it has finished`);
    this.name = 'SyncBusyError';
  }
}

export async function withSyncLock<T>(path: string, action: () => Promise<T>): Promise<T> {
  const token = `${process.pid} ${new Date().toISOString()} ${randomBytes(6).toString('hex')}`;
  await mkdir(dirname(path), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(token).finally(() => handle.close());
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      const [pid, since] = (await readFile(path, 'utf8').catch(() => '')).split(' ');
      if (alive(Number(pid))) throw new SyncBusyError(Number(pid), since ?? 'unknown');
      await rm(path, { force: true });
    }
  }
  try {
    return await action();
  } finally {
    if ((await readFile(path, 'utf8').catch(() => '')) === token) await rm(path, { force: true });
  }
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `data` to `path` so that readers only ever see the old or the new content:
 * write a temp file in the same directory, fsync it, then rename over the target. Pass chunks (an iterable of
 * strings) for content too large to hold as one string.
 */
export interface AtomicWriteOptions {
  /** File mode of a new file, e.g. 0o600 for a private one (its folder is then created private too). */
  mode?: number;
  /** Skip the fsync when losing the newest content in a power cut is harmless (a hint rewritten on every append). */
  durable?: boolean;
}

export async function writeFileAtomic(path: string, data: string | Uint8Array | Iterable<string>, options: AtomicWriteOptions = {}): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, ...(options.mode === undefined ? {} : { mode: 0o700 }) });
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  // A private file (mode 0600) is private from its first byte: the temp file is created with the mode.
  const handle = await open(temp, 'w', options.mode ?? 0o666);
  try {
    if (typeof data === 'string' || data instanceof Uint8Array) await handle.writeFile(data);
    else for (const chunk of data) await handle.writeFile(chunk);
    if (options.durable !== false) await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Serialises `value` as pretty JSON with a trailing newline and writes it atomically. */
export function writeJsonAtomic(path: string, value: unknown, options: AtomicWriteOptions = {}): Promise<void> {
  return writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`, options);
}

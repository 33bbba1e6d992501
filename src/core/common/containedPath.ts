import { lstat, readlink, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep, win32 } from 'node:path';

// Paths named by workspace content (a repository's config files, workflows, templates) are untrusted: a cloned
// repository must not be able to make Claude PM read or write outside it. Every such path goes through here.

/** A path from workspace content that leads outside the workspace; the message names where it came from. */
export class PathEscapeError extends Error {
  constructor(
    readonly source: string,
    readonly requested: string,
    reason: string,
  ) {
    super(`${source}: '${requested}' ${reason}; only paths inside the workspace are allowed`);
    this.name = 'PathEscapeError';
  }
}

/**
 * Resolves `requested` (relative, from workspace content) inside `root` and returns its real absolute path,
 * which may not exist yet. Refuses absolute paths, `..` segments, NUL bytes and symbolic links on the way that
 * lead out of `root`. `source` names the file and key the path came from, for the error.
 */
export async function containedPath(root: string, requested: string, source: string): Promise<string> {
  const problem = relativePathProblem(requested);
  if (problem) throw new PathEscapeError(source, requested.replace(/\0/g, '\\0'), problem);
  const realRoot = await realpathNearest(root);
  const real = await realpathNearest(join(realRoot, requested));
  if (!isInside(realRoot, real)) throw new PathEscapeError(source, requested, `leads through a symbolic link to ${real}`);
  return real;
}

/** Why `requested` cannot name a place below a folder (absolute, `..`, a NUL byte), or undefined when it can. */
export function relativePathProblem(requested: string): string | undefined {
  if (requested.includes('\0')) return 'contains a NUL byte';
  if (isAbsolute(requested) || win32.isAbsolute(requested)) return 'is an absolute path';
  if (requested.split(/[\\/]/).includes('..')) return "climbs out with '..'";
  return undefined;
}

/** Whether `path` is `root` or below it (both absolute and already resolved). */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * The real path of `path` with symbolic links resolved as far as it exists; the missing rest is appended as
 * written. A file about to be created resolves to where it will land.
 */
export async function realpathNearest(path: string, linksLeft = 40): Promise<string> {
  try {
    return await realpath(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
    // A dangling symbolic link still decides where a write lands: follow it.
    const link = await lstat(path).then((s) => s.isSymbolicLink(), () => false);
    if (link) {
      if (linksLeft === 0) throw Object.assign(new Error(`too many symbolic links at ${path}`), { code: 'ELOOP' });
      return realpathNearest(resolve(dirname(path), await readlink(path)), linksLeft - 1);
    }
    const parent = dirname(path);
    if (parent === path) return path;
    return join(await realpathNearest(parent, linksLeft), basename(path));
  }
}

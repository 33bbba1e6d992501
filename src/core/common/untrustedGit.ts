import type { SimpleGit } from 'simple-git';
import { gitClient } from './processGate';

// Git run on a repository we did not write: its config (`.git/config`, included files) may name programs that git
// would start on its own (fsmonitor, hooks, clean/smudge filters, external diff, textconv). Every one of them is
// switched off per call with `-c`, which wins over any config file, and git variables of our own environment
// (GIT_DIR, GIT_INDEX_FILE…) never leak into a call unless named.

const GUARDED_ENV = /^(git_.*|editor|pager|prefix|ssh_askpass|visual)$/i;

/** The environment without variables simple-git's guard refuses or that would redirect git. */
export function unguardedEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !GUARDED_ENV.test(key)));
}

/** `-c` settings that keep git from starting anything a repository's config names. */
const NEUTRAL_CONFIG = ['core.fsmonitor=false', 'core.hooksPath=/dev/null', 'diff.external=', 'core.autocrlf=false', 'core.safecrlf=false', 'gc.auto=0', 'maintenance.auto=false'];

export interface UntrustedGitOptions {
  /** Variables to set for the call, e.g. GIT_INDEX_FILE; their names are let through the environment guard. */
  env?: Record<string, string>;
  /** Clean/smudge filter drivers the repository's config defines (from `filterDrivers`), switched off too. */
  filterDrivers?: readonly string[];
  /** What every call of this client reads on its standard input (e.g. object ids for `cat-file --batch`). */
  input?: string;
}

/** A git client for `baseDir` with everything a hostile config could start switched off. */
export function untrustedGit(baseDir: string, options: UntrustedGitOptions = {}): SimpleGit {
  const extra = options.env ?? {};
  const filters = (options.filterDrivers ?? []).flatMap((name) => [`filter.${name}.clean=`, `filter.${name}.smudge=`, `filter.${name}.process=`, `filter.${name}.required=false`]);
  return gitClient({
    baseDir,
    maxConcurrentProcesses: 2,
    config: [...NEUTRAL_CONFIG, ...filters],
    // These are the settings that switch the programs off; simple-git asks for consent to set them at all.
    unsafe: { allowUnsafeFsMonitor: true, allowUnsafeHooksPath: true, allowUnsafeDiffExternal: true, allowUnsafeFilter: true },
    allowEnvironment: ['GIT_OPTIONAL_LOCKS', ...Object.keys(extra)],
    ...(options.input === undefined ? {} : { input: () => options.input }),
  }).env({ ...unguardedEnv(), GIT_OPTIONAL_LOCKS: '0', ...extra });
}

/** The clean/smudge filter drivers a repository's config defines (`filter.<driver>.clean` and the like). */
export async function filterDrivers(baseDir: string): Promise<string[]> {
  const out = await untrustedGit(baseDir)
    .raw(['config', '-z', '--name-only', '--get-regexp', '^filter\\.'])
    .catch(() => '');
  const names = new Set<string>();
  for (const key of out.split('\0')) {
    const match = /^filter\.(.+)\.[^.]+$/s.exec(key.trim());
    if (match) names.add(match[1]!);
  }
  return [...names];
}

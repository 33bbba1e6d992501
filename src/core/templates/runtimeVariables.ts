// The four variables the framework leaves for its runtime (`PLATFORM`, `PYTHON_CMD`, `PLATFORM_NOTES`,
// `DEPLOYMENT_ID`), computed from the machine and the deployment so a deployed CLAUDE.md has no placeholders.

import { createHash } from 'node:crypto';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { RUNTIME_VARIABLES } from './render';

export type RuntimeVariables = Record<(typeof RUNTIME_VARIABLES)[number], string>;

export interface Machine {
  platform: NodeJS.Platform;
  /** The PATH the agents will see. */
  path: string;
}

// The names the framework's own scripts try, most specific first.
const PYTHON_NAMES: Partial<Record<NodeJS.Platform, readonly string[]>> = { win32: ['py.exe', 'python.exe', 'python3.exe'] };
const POSIX_PYTHON_NAMES = ['python3', 'python'] as const;

/** The first Python on `machine.path`, by the name a shell would use; undefined when there is none. */
export async function findPython(machine: Machine): Promise<string | undefined> {
  const names = PYTHON_NAMES[machine.platform] ?? POSIX_PYTHON_NAMES;
  const dirs = machine.path.split(machine.platform === 'win32' ? ';' : delimiter).filter(Boolean);
  for (const name of names) {
    for (const dir of dirs) {
      const found = await access(join(dir, name), machine.platform === 'win32' ? constants.F_OK : constants.X_OK).then(() => true, () => false);
      if (found) return name.replace(/\.exe$/, '');
    }
  }
  return undefined;
}

const PLATFORM_NAMES: Partial<Record<NodeJS.Platform, string>> = { darwin: 'macOS', linux: 'Linux', win32: 'Windows' };

/** Setup notes for the agents on this platform, as Markdown list items. */
export function platformNotes(platform: NodeJS.Platform, python: string | undefined): string {
  const name = PLATFORM_NAMES[platform] ?? platform;
  const notes = [
    python ? `- ${name}: run Python as \`${python}\`.` : `- ${name}: no Python was found on PATH when this file was deployed; install Python 3 before running the framework's Python tools.`,
  ];
  if (platform === 'win32') notes.push('- Paths use backslashes; run scripts from PowerShell, where `.ps1` and `.cmd` wrappers replace shell scripts.');
  else notes.push('- Shell scripts need the executable bit (`chmod 755`) before they run.');
  if (platform === 'darwin') notes.push('- Install missing tools with Homebrew (`brew install …`).');
  return notes.join('\n');
}

/** One identifier per deployment: the target folder and the moment, hashed (stable for a dry run and its deploy). */
export function deploymentId(deploymentDir: string, now: Date): string {
  return createHash('sha256').update(`${deploymentDir}\n${now.toISOString()}`).digest('hex').slice(0, 12);
}

export async function runtimeVariables(deploymentDir: string, now: Date, machine: Machine = { platform: process.platform, path: process.env.PATH ?? '' }): Promise<RuntimeVariables> {
  const python = await findPython(machine);
  return {
    PLATFORM: machine.platform,
    PYTHON_CMD: python ?? (machine.platform === 'win32' ? 'py' : 'python3'),
    PLATFORM_NOTES: platformNotes(machine.platform, python),
    DEPLOYMENT_ID: deploymentId(deploymentDir, now),
  };
}

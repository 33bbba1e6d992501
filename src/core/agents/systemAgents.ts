import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The built-in agents shipped with the extension (`resources/agents/`). Found by walking up from this
 * module, which works from the sources (tests, tsx) and from the bundles in `dist/` alike.
 */
export function defaultSystemAgentsDir(start: string = __dirname): string | undefined {
  for (let dir = start, i = 0; i < 8 && dir !== dirname(dir); dir = dirname(dir), i++) {
    const candidate = join(dir, 'resources', 'agents');
    if (existsSync(join(candidate, 'base_agent.md'))) return candidate;
  }
  return undefined;
}

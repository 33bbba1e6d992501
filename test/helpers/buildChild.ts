import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from './tempDir';

// The CLI prints the version the build writes in (scripts/build.mjs): a bundled copy of it needs the same.
const VERSION = (JSON.parse(readFileSync(resolve('package.json'), 'utf8')) as { version: string }).version;

/**
 * Bundles a helper script (or the CLI itself, src/cli/main.ts) to plain JS once, so spawning it costs a bare
 * `node` start (~50 ms), not tsx's.
 */
export async function buildChild(entry: string): Promise<string> {
  const outfile = join(await tempDir('claude-pm-child-'), 'child.js');
  await build({ entryPoints: [resolve(entry)], bundle: true, platform: 'node', format: 'cjs', target: 'node20', minify: true, outfile, logLevel: 'silent', define: { __VERSION__: JSON.stringify(VERSION) } });
  return outfile;
}

import { build } from 'esbuild';
import { join, resolve } from 'node:path';
import { tempDir } from './tempDir';

/** Bundles a helper script to plain JS once, so spawning it costs a bare `node` start (~50 ms), not tsx's. */
export async function buildChild(entry: string): Promise<string> {
  const outfile = join(await tempDir('claude-pm-child-'), 'child.js');
  await build({ entryPoints: [resolve(entry)], bundle: true, platform: 'node', format: 'cjs', target: 'node20', minify: true, outfile, logLevel: 'silent' });
  return outfile;
}

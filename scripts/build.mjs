// Bundles the extension host, the CLI and the dashboard webview with esbuild.
import * as esbuild from 'esbuild';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production') || process.env.NODE_ENV === 'production';

const { version } = JSON.parse(await readFile('package.json', 'utf8'));

// The CLI is split ESM: the entry holds the command declarations, each area's handlers and what they share are chunks
// loaded on first use. Bundled CommonJS dependencies still need `require`, and the core finds its resources from
// `__dirname`, so every chunk defines both.
const ESM_CJS_GLOBALS = [
  "import { createRequire as __cpmRequire } from 'node:module';",
  "import { fileURLToPath as __cpmPath } from 'node:url';",
  'const require = __cpmRequire(import.meta.url);',
  'const __filename = __cpmPath(import.meta.url);',
  "const __dirname = __cpmPath(new URL('.', import.meta.url));",
].join('\n');
// `bin` must be a .js file in a CommonJS package: a one-line launcher imports the ESM entry.
const CLI_LAUNCHER = "#!/usr/bin/env node\nimport('./cli/main.mjs');\n";

const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none' };

const targets = [
  {
    ...common,
    entryPoints: { extension: 'src/vscode/extension.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  },
  {
    ...common,
    entryPoints: { main: 'src/cli/main.ts' },
    outdir: 'dist/cli',
    platform: 'node',
    format: 'esm',
    splitting: true,
    outExtension: { '.js': '.mjs' },
    target: 'node20',
    minify: true,
    banner: { js: ESM_CJS_GLOBALS },
    define: { __VERSION__: JSON.stringify(version) },
  },
  {
    ...common,
    entryPoints: { webview: 'webview/main.ts' },
    outdir: 'dist',
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    loader: { '.css': 'text' },
  },
];

await rm('dist/cli', { recursive: true, force: true });
await mkdir('dist', { recursive: true });
await writeFile('dist/cli.js', CLI_LAUNCHER);
await chmod('dist/cli.js', 0o755);
if (watch) {
  for (const options of targets) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(targets.map((options) => esbuild.build(options)));
}

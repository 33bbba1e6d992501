import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

// The CLI starts within a small margin of a bare `node` because `main.ts` statically reaches only the framework and the
// command declarations; every area's code is behind a dynamic `import()`. A static import of a handler or of core code
// from a declaration would load it on every start, `--help` and `--version` included.

const ALLOWED_OUTSIDE_CLI = new Set(['src/core/common/logger.ts', 'src/core/common/redact.ts', 'src/core/common/terminalText.ts']);

/** Value imports (`import x from`, `export … from`); type-only imports and dynamic `import()` load nothing at start. */
function staticImports(source: string): string[] {
  const specifiers: string[] = [];
  for (const match of source.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+['"]([^'"]+)['"]/gms)) specifiers.push(match[1]!);
  for (const match of source.matchAll(/^import\s+['"]([^'"]+)['"]/gm)) specifiers.push(match[1]!);
  return specifiers;
}

function resolveModule(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier);
  return [`${base}.ts`, join(base, 'index.ts')].find((candidate) => existsSync(candidate));
}

function reachedAtStart(entry: string): Set<string> {
  const seen = new Set<string>();
  const queue = [resolve(entry)];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of staticImports(readFileSync(file, 'utf8'))) {
      const next = resolveModule(file, specifier);
      if (next) queue.push(next);
    }
  }
  return new Set([...seen].map((file) => relative(process.cwd(), file).split('\\').join('/')));
}

describe('CLI start-up', () => {
  it('loads no handler and no area code before a command runs', () => {
    const reached = [...reachedAtStart('src/cli/main.ts')];
    const heavy = reached.filter((file) => !(file.startsWith('src/cli/') && !file.startsWith('src/cli/handlers/')) && !ALLOWED_OUTSIDE_CLI.has(file));
    assert.deepEqual(heavy, []);
    assert.ok(reached.includes('src/cli/commands/memory.ts'), 'the declarations are part of the start-up graph');
    assert.ok(!reached.some((file) => file.startsWith('src/cli/handlers/')));
  });

  it('the import scanner sees value imports and skips type-only and dynamic ones', () => {
    const source = "import { a } from './a';\nimport type { B } from './b';\nexport { c } from './c';\nimport './d';\nconst e = () => import('./e');\n";
    assert.deepEqual(staticImports(source).sort(), ['./a', './c', './d']);
  });
});

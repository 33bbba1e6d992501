import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const importsVscode = /(?:from\s+['"]vscode['"]|require\(\s*['"]vscode['"]\s*\)|import\(\s*['"]vscode['"]\s*\))/;

describe('architecture', () => {
  for (const layer of ['src/core', 'src/cli', 'src/shared', 'webview']) {
    it(`${layer} never imports vscode`, () => {
      const offenders = files(layer).filter((f) => importsVscode.test(readFileSync(f, 'utf8')));
      assert.deepEqual(offenders, []);
    });
  }

  it('the detector itself recognises a vscode import', () => {
    assert.ok(importsVscode.test("import * as vscode from 'vscode';"));
    assert.ok(!importsVscode.test("import { z } from 'zod';"));
  });

  it('core never reaches into the adapters', () => {
    const offenders = files('src/core').filter((f) => /from\s+['"][./]*\/(vscode|cli)\//.test(readFileSync(f, 'utf8')));
    assert.deepEqual(offenders, []);
  });

  it('core/common imports no area', () => {
    const offenders = files('src/core/common').filter((f) => /from\s+['"]\.\.\//.test(readFileSync(f, 'utf8')));
    assert.deepEqual(offenders, []);
  });

  it('no two core areas import each other', () => {
    const edges = coreAreaImports('src/core');
    assert.ok(edges.size > 0, 'the scan found no imports between areas at all');
    const mutual = [...edges].filter((edge) => edge < reversed(edge) && edges.has(reversed(edge)));
    assert.deepEqual(mutual, []);
  });

  it('the pair detector recognises two areas importing each other', () => {
    const root = mkdtempSync(join(tmpdir(), 'layers-'));
    try {
      mkdirSync(join(root, 'a'));
      mkdirSync(join(root, 'b'));
      writeFileSync(join(root, 'a', 'x.ts'), "import { y } from '../b/y';\n");
      writeFileSync(join(root, 'b', 'y.ts'), "import type { x } from '../a/x';\nexport const y = 1;\n");
      const edges = coreAreaImports(root);
      assert.deepEqual([...edges].sort(), ['a->b', 'b->a']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

/** Every `area->other` import edge between the folders of `root` (static imports and re-exports). */
function coreAreaImports(root: string): Set<string> {
  const edges = new Set<string>();
  for (const area of readdirSync(root)) {
    if (!statSync(join(root, area)).isDirectory()) continue;
    for (const file of files(join(root, area))) {
      for (const match of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"]\.\.\/([\w-]+)\//g)) {
        if (match[1] !== area) edges.add(`${area}->${match[1]}`);
      }
    }
  }
  return edges;
}

function reversed(edge: string): string {
  const [from, to] = edge.split('->');
  return `${to}->${from}`;
}

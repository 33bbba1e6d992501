import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
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
});

// Runs every *.test.ts under the given folders with Node's built-in test runner (TypeScript via tsx).
// Node 20 has no glob support in --test, so the files are listed here. test/e2e is driven by scripts/e2e.mjs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function collect(dir, out) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules' || path === join('test', 'e2e')) continue;
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const roots = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = roots.flatMap((root) => (statSync(root).isDirectory() ? collect(root, []) : [root])).sort();
if (files.length === 0) {
  console.error(`No test files found under ${roots.join(', ')}`);
  process.exit(1);
}
// The tests' audit keys, anchors and lockout state go to a throw-away folder, never the user's own.
const userConfig = mkdtempSync(join(tmpdir(), 'claude-pm-user-config-'));
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files],
  { stdio: 'inherit', env: { ...process.env, CLAUDE_PM_CONFIG_DIR: userConfig } },
);
rmSync(userConfig, { recursive: true, force: true });
process.exit(result.status ?? 1);

// Runs the end-to-end tests in a real VS Code (code-server) driven by Chromium through playwright-core.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { ensureCodeServerOrExit } from './install-code-server.mjs';

const chromium = process.env.CLAUDE_PM_CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  console.error(`End-to-end tests need Chromium at ${chromium}: apt-get install -y chromium (or set CLAUDE_PM_CHROMIUM).`);
  process.exit(1);
}
ensureCodeServerOrExit();
const pack = spawnSync('npm', ['run', '--silent', 'vsix'], { stdio: 'inherit' });
if (pack.status !== 0) process.exit(pack.status ?? 1);
const files = readdirSync('test/e2e').filter((f) => f.endsWith('.e2e.ts')).sort().map((f) => `test/e2e/${f}`);
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);

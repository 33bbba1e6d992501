// `npm start`: opens the demo workspace with the extension loaded. Uses desktop VS Code (`code`) when it is
// installed; otherwise serves the real VS Code in the browser with code-server on http://127.0.0.1:8080.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureCodeServerOrExit } from './install-code-server.mjs';

const demo = resolve('demo');
const hasCode = spawnSync('sh', ['-c', 'command -v code'], { encoding: 'utf8' }).stdout.trim();
if (hasCode && !process.env.CLAUDE_PM_USE_CODE_SERVER) {
  spawn('code', ['--extensionDevelopmentPath', resolve('.'), demo], { stdio: 'inherit' });
} else {
  const bin = ensureCodeServerOrExit();
  const pack = spawnSync('npm', ['run', '--silent', 'vsix'], { stdio: 'inherit' });
  if (pack.status !== 0) process.exit(pack.status ?? 1);
  const home = resolve('.vscode-test', 'start');
  const port = process.env.PORT ?? '8080';
  mkdirSync(join(home, 'user-data', 'User'), { recursive: true });
  const config = join(home, 'config.yaml');
  writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const env = { ...process.env, XDG_CONFIG_HOME: join(home, 'xdg-config'), XDG_DATA_HOME: join(home, 'xdg-data') };
  const common = ['--config', config, '--user-data-dir', join(home, 'user-data'), '--extensions-dir', join(home, 'extensions')];
  spawnSync(bin, [...common, '--install-extension', resolve('dist/claude-pm.vsix'), '--force'], { stdio: 'inherit', env });
  console.log(`\nClaude PM demo: open http://127.0.0.1:${port}/?folder=${encodeURIComponent(demo)} in your browser (Ctrl+C stops the server).\n`);
  spawn(bin, [...common, '--disable-telemetry', '--disable-update-check', demo], { stdio: 'inherit', env });
}

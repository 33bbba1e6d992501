// PM2 processes for one project: run `pm2 start docs/ops/ecosystem.config.js` from the project folder
// (or copy this file there). The CLI is the one docs/ci/install-claude-pm.sh installs.
const { homedir } = require('node:os');
const { join } = require('node:path');

const cli = join(homedir(), '.claude-pm-cli', 'extension', 'dist', 'cli.js');

module.exports = {
  apps: [
    {
      name: 'claude-pm-serve',
      script: cli,
      args: ['serve', '--port', '8787', '--host', '127.0.0.1', '--grace', '60'],
      cwd: process.cwd(),
      // Set CLAUDE_PM_WEBHOOK_SECRET in the shell that starts PM2; it is never written here.
      env: { CLAUDE_PM_WEBHOOK_SECRET: process.env.CLAUDE_PM_WEBHOOK_SECRET },
      kill_timeout: 90_000,
      autorestart: true,
    },
    {
      name: 'claude-pm-monitor',
      script: cli,
      args: ['monitor', '--duration', '0', '--interval', '60', '--output', '.claude-pm/logs/monitoring-report.json'],
      cwd: process.cwd(),
      kill_timeout: 60_000,
      autorestart: true,
    },
  ],
};

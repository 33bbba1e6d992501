import { lazyCommands } from '../lazyCommands';

/** Declarations only: the handlers in ../handlers/templates load when one of these commands runs. */
export const templatesCommands = lazyCommands(() => import('../handlers/templates').then((m) => m.templatesHandlers), {
  deploy: {
    path: ['deploy'],
    summary: 'Deploy the framework CLAUDE.md (only over framework-owned files; backups first), optionally for an environment of .claude-pm/config.json',
    options: {
      target: { type: 'string' },
      environment: { type: 'string' },
      'with-memory': { type: 'boolean' },
      force: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      output: { type: 'string' },
      template: { type: 'string' },
      'framework-dev': { type: 'boolean' },
    },
    optionHelp: {
      target: 'deploy into this folder (wins over the environment\'s target)',
      environment: 'apply deployment.environments.NAME: its template variables and target folder',
      'with-memory': 'record the deployment (template, version, environment, target, outcome) as a project memory',
      force: 'rewrite a framework-owned CLAUDE.md even when it is not older',
      'dry-run': 'change nothing; show what would happen',
      output: 'with --dry-run: write the rendered CLAUDE.md to this file',
      template: 'the master template to deploy instead of the configured or bundled one',
      'framework-dev': 'allow deploying into the framework\'s own source tree',
    },
    permission: 'template.deploy',
  },
  rollback: {
    path: ['rollback'],
    summary: 'Restore CLAUDE.md from its newest backup, or the one taken at --to YYYYMMDD_HHMMSS',
    options: { target: { type: 'string' }, to: { type: 'string' } },
    permission: 'template.deploy',
  },
  templateCheck: {
    path: ['template', 'check'],
    summary: 'Show each CLAUDE.md target: owned or foreign, deployed vs template version, backups (exit 1 when the selected one needs a deploy)',
    options: { template: { type: 'string' } },
  },
});

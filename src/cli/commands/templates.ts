import { lazyCommands } from '../lazyCommands';

/** Declarations only: the handlers in ../handlers/templates load when one of these commands runs. */
export const templatesCommands = lazyCommands(() => import('../handlers/templates').then((m) => m.templatesHandlers), {
  deploy: {
    path: ['deploy'],
    summary: 'Deploy the framework CLAUDE.md (only over framework-owned files; backups first)',
    options: {
      target: { type: 'string' },
      force: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      output: { type: 'string' },
      template: { type: 'string' },
      'framework-dev': { type: 'boolean' },
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

import { lazyCommands } from '../lazyCommands';

/** `claude-pm db …`: the team database's schema and roles. Declarations only: the handlers in ../handlers/database load when one of these commands runs. */
export const databaseCommands = lazyCommands(() => import('../handlers/database').then((m) => m.databaseHandlers), {
  dbStatus: {
    path: ['db', 'status'],
    summary: 'Show the team database (from CLAUDE_PM_DATABASE_URL), its schema version, pending migrations and your role there',
  },
  dbMigrate: {
    path: ['db', 'migrate'],
    summary: 'Apply pending schema migrations to the team database, all in one transaction',
    permission: 'system.configure',
  },
  dbGrant: {
    path: ['db', 'grant'],
    summary: 'Give a database user the admin, developer or viewer role (the database enforces it)',
    args: 'USER ROLE',
    permission: 'system.configure',
  },
});

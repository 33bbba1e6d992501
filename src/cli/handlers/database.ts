import type pg from 'pg';
import { DATABASE_URL_ENV, databaseUrlFrom, describeDatabaseUrl, withDatabase } from '../../core/database/connection';
import { migrate, schemaState, schemaStatus, type SchemaStatus } from '../../core/database/migrations';
import { currentTeamRole, grantTeamRole, isTeamRole } from '../../core/database/roles';
import { requireArg, UsageError, type CliContext, type CliHandlers } from '../framework';

/** Runs `action` on a one-connection pool to the team database; errors name the database, never the password. */
export async function withTeamDatabase<T>(ctx: CliContext, action: (pool: pg.Pool, url: string) => Promise<T>): Promise<T> {
  const url = databaseUrlFrom(ctx.env);
  if (!url) throw new Error(`no team database: set ${DATABASE_URL_ENV}=postgres://USER:PASSWORD@HOST:PORT/DATABASE`);
  return withDatabase(url, (pool) => action(pool, url), (message) => ctx.logger.warn(message));
}

function describeStatus(status: SchemaStatus): string {
  const state = schemaState(status);
  if (state === 'ahead') return `schema version ${status.current} is newer than this CLI knows (${status.latest}): upgrade claude-pm`;
  if (state === 'current') return `schema version ${status.current}, up to date`;
  return `schema version ${status.current} of ${status.latest}: run claude-pm db migrate (${status.pending.map((m) => `${m.version} ${m.name}`).join('; ')})`;
}

export const databaseHandlers = {
  dbStatus: (ctx) =>
    withTeamDatabase(ctx, async (pool, url) => {
      const status = await schemaStatus(pool);
      const role = status.current > 0 ? await currentTeamRole(pool) : 'none';
      ctx.print({ database: describeDatabaseUrl(url), role, ...status }, () => [`database: ${describeDatabaseUrl(url)}`, describeStatus(status), `your role: ${role}`].join('\n'));
      return schemaState(status) === 'current' ? 0 : 1;
    }),
  dbMigrate: (ctx) =>
    withTeamDatabase(ctx, async (pool, url) => {
      const { applied, status } = await migrate(pool);
      ctx.print({ database: describeDatabaseUrl(url), applied, ...status }, () =>
        applied.length ? `${describeDatabaseUrl(url)}: applied ${applied.join(', ')}; ${describeStatus(status)}` : `${describeDatabaseUrl(url)}: nothing to apply; ${describeStatus(status)}`,
      );
      return 0;
    }),
  dbGrant: (ctx, _values, positionals) => {
    const user = requireArg(positionals, 0, 'USER');
    const role = requireArg(positionals, 1, 'ROLE');
    if (!isTeamRole(role)) throw new UsageError(`ROLE must be admin, developer or viewer, not '${role}'`);
    return withTeamDatabase(ctx, async (pool, url) => {
      await grantTeamRole(pool, user, role);
      ctx.print({ database: describeDatabaseUrl(url), user, role }, `${user} is now ${role} on ${describeDatabaseUrl(url)}`);
      return 0;
    });
  },
} satisfies CliHandlers;

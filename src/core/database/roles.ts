import pg from 'pg';
import { inTransaction } from './connection';
import { TEAM_ROLES, type TeamRole } from './schema';

export const TEAM_ROLE_NAMES = Object.keys(TEAM_ROLES) as TeamRole[];

export function isTeamRole(value: string): value is TeamRole {
  return Object.hasOwn(TEAM_ROLES, value);
}

/**
 * Gives a database user exactly one of the framework's roles (admin, developer or viewer), revoking the others, in
 * one transaction. The database then enforces it: whatever SQL the user sends, grants decide.
 */
export async function grantTeamRole(pool: pg.Pool, user: string, role: TeamRole): Promise<void> {
  if (!/^[A-Za-z_][A-Za-z0-9_.@-]{0,62}$/.test(user)) throw new Error(`'${user}' is not a database user name`);
  await inTransaction(pool, async (client) => {
    const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [user]);
    if (exists.rowCount === 0) throw new Error(`no database user '${user}': create it first (CREATE ROLE "${user}" LOGIN PASSWORD '…')`);
    const ident = pg.escapeIdentifier(user);
    for (const other of TEAM_ROLE_NAMES) if (other !== role) await client.query(`REVOKE ${TEAM_ROLES[other]} FROM ${ident}`);
    await client.query(`GRANT ${TEAM_ROLES[role]} TO ${ident}`);
  });
}

/** The framework role of the connected user, from its PostgreSQL role memberships (highest wins). */
export async function currentTeamRole(pool: pg.Pool): Promise<TeamRole | 'none' | 'superuser'> {
  const { rows } = await pool.query<{ superuser: boolean; admin: boolean; developer: boolean; viewer: boolean }>(
    `SELECT rolsuper AS superuser, pg_has_role($1, 'MEMBER') AS admin, pg_has_role($2, 'MEMBER') AS developer, pg_has_role($3, 'MEMBER') AS viewer
     FROM pg_roles WHERE rolname = current_user`,
    [TEAM_ROLES.admin, TEAM_ROLES.developer, TEAM_ROLES.viewer],
  );
  const row = rows[0];
  if (!row) return 'none';
  if (row.superuser) return 'superuser';
  return row.admin ? 'admin' : row.developer ? 'developer' : row.viewer ? 'viewer' : 'none';
}

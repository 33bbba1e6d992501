import { TeamAuditTrail, type TeamAuditEvent } from '../core/database/audit';
import { createPool } from '../core/database/connection';

/** Appends one event to the team database's audit trail, sealed with the user's audit key, on a connection of its own. */
export async function appendTeamAuditEvent(url: string, env: NodeJS.ProcessEnv, event: TeamAuditEvent): Promise<void> {
  const pool = createPool(url, { max: 1, applicationName: 'claude-pm-audit' });
  try {
    await new TeamAuditTrail(pool, url, { env }).append([event]);
  } finally {
    await pool.end().catch(() => undefined);
  }
}

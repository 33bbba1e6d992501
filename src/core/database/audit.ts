import type pg from 'pg';
import { redactValue } from '../common/redact';

export interface TeamAuditEvent {
  event: string;
  action: string;
  target?: string;
  details?: Record<string, unknown>;
}

export interface TeamAuditVerification {
  ok: boolean;
  rows: number;
  /** Sequence number of the first row that does not fit the chain. */
  firstBrokenSeq?: number;
  reason?: string;
}

/** Appends to the team audit trail; the database sets the actor (the connected user), the time and the chain. */
export async function appendTeamAudit(pool: pg.Pool, event: TeamAuditEvent): Promise<void> {
  await pool.query('INSERT INTO claude_pm_audit (event, action, target, details) VALUES ($1, $2, $3, $4)', [
    event.event,
    event.action,
    event.target ?? null,
    JSON.stringify(redactValue(event.details ?? {})),
  ]);
}

/** Recomputes every row's hash with the database's own definition and checks each row links to the one before. */
export async function verifyTeamAudit(pool: pg.Pool): Promise<TeamAuditVerification> {
  const { rows } = await pool.query<{ seq: string; prev: string; hash: string; expected: string; previous: string | null }>(
    `SELECT seq, prev, hash, encode(sha256(convert_to(claude_pm_audit_row_text(a), 'UTF8')), 'hex') AS expected,
            lag(hash) OVER (ORDER BY seq) AS previous
     FROM claude_pm_audit a ORDER BY seq`,
  );
  for (const row of rows) {
    const seq = Number(row.seq);
    if (row.prev !== (row.previous ?? '0'.repeat(64))) return { ok: false, rows: rows.length, firstBrokenSeq: seq, reason: 'does not link to the row before it (a row was removed or reordered)' };
    if (row.hash !== row.expected) return { ok: false, rows: rows.length, firstBrokenSeq: seq, reason: 'its content does not match its hash (the row was changed)' };
  }
  return { ok: true, rows: rows.length };
}

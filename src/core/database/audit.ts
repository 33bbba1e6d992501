import type pg from 'pg';
import { userAuditTrust, type AuditAnchor, type AuditTrust } from '../security/auditKeys';
import { boundedAuditFields } from '../security/auditLog';
import { CHAIN_START, chainBreak, sealEntry, sealMatches, type ChainLink } from '../security/auditSeal';
import { inTransaction } from './connection';

// The team database's audit trail (`claude_pm_audit`): append-only (no role may update, delete or truncate it, and a
// trigger refuses it even to the owner), and every row sealed like a line of the workspace's audit log: an
// HMAC-SHA-256 under the user's audit key over the same canonical form, linked to the row before it. Appends take an
// advisory lock, so concurrent writers form one chain. The last row a client wrote or verified is anchored beside
// the key, so rows removed from the end are reported too.

export interface TeamAuditEvent {
  event: string;
  action: string;
  target?: string;
  details?: Record<string, unknown>;
}

/** A row as it is sealed: the fields of a local audit entry, with the database user as actor. */
export interface TeamAuditRow {
  seq: number;
  timestamp: string;
  event: string;
  actor: string;
  action: string;
  target?: string;
  details: Record<string, unknown>;
  kid: string;
  prev: string;
  hash: string;
}

export interface TeamAuditVerification {
  ok: boolean;
  rows: number;
  /** Sequence number of the first row that does not fit the chain. */
  firstBrokenSeq?: number;
  reason?: string;
}

const LOCK = 'claude_pm_audit';
const MAX_EVENT_CHARS = 64;
const VERIFY_BATCH = 5000;
// Milliseconds, as the local log's timestamps: the trigger checks the row carries its transaction's time to the ms.
const TIMESTAMP = `to_char(%s AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The name a team database's audit trail is anchored by: host, port and database, never the user or password. */
export function teamAuditTrailName(url: string): string {
  const parsed = new URL(url);
  return `postgres://${parsed.host}${parsed.pathname}`;
}

/** The team database's audit trail, sealed and verified with `trust` (the user's audit keys by default). */
export class TeamAuditTrail {
  private readonly trust: AuditTrust;
  private readonly name: string;

  constructor(
    private readonly pool: pg.Pool,
    url: string,
    options: { trust?: AuditTrust; env?: NodeJS.ProcessEnv } = {},
  ) {
    this.trust = options.trust ?? userAuditTrust(options.env);
    this.name = teamAuditTrailName(url);
  }

  /** Where the keys that seal and verify the rows are kept, in words. */
  get keyring(): string {
    return this.trust.where;
  }

  /** Appends events in order, in one transaction; resolves with the rows written. */
  async append(events: readonly TeamAuditEvent[]): Promise<TeamAuditRow[]> {
    const existing = await this.trust.keyring(false);
    const written = await inTransaction(this.pool, async (client) => {
      const rows: TeamAuditRow[] = [];
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [LOCK]);
      // The first key is made under the lock, so writers that find none make one, not one each.
      const keyring = existing ?? (await this.trust.keyring(true))!;
      const key = keyring.keys.get(keyring.current)!;
      const head = await client.query<{ seq: string | null; hash: string | null; timestamp: string; actor: string }>(
        `SELECT (SELECT seq FROM claude_pm_audit ORDER BY seq DESC LIMIT 1) AS seq, (SELECT hash FROM claude_pm_audit ORDER BY seq DESC LIMIT 1) AS hash,
                ${TIMESTAMP.replace('%s', "date_trunc('milliseconds', now())")} AS timestamp, session_user AS actor`,
      );
      const { timestamp, actor } = head.rows[0]!;
      let last: ChainLink = head.rows[0]!.seq === null ? CHAIN_START : { seq: Number(head.rows[0]!.seq), hash: head.rows[0]!.hash! };
      for (const event of events) {
        const fields = boundedAuditFields({ ...event, actor });
        const row = sealEntry(
          {
            seq: last.seq + 1,
            timestamp,
            event: event.event.slice(0, MAX_EVENT_CHARS),
            actor,
            action: fields.action,
            ...(fields.target === undefined ? {} : { target: fields.target }),
            // As jsonb will give it back: plain JSON, without the NUL characters it refuses.
            details: JSON.parse(JSON.stringify(fields.details ?? {}).replace(/\\u0000/g, '')) as Record<string, unknown>,
            kid: keyring.current,
            prev: last.hash,
          },
          key,
        );
        await client.query(
          'INSERT INTO claude_pm_audit (seq, at, actor, event, action, target, details, kid, prev, hash) VALUES ($1, $2::timestamptz, $3, $4, $5, $6, $7, $8, $9, $10)',
          [row.seq, row.timestamp, row.actor, row.event, row.action, row.target ?? null, JSON.stringify(row.details), row.kid, row.prev, row.hash],
        );
        rows.push(row);
        last = { seq: row.seq, hash: row.hash };
      }
      return rows;
    });
    const newest = written[written.length - 1];
    if (newest) await this.anchor({ seq: newest.seq, hash: newest.hash, updated: new Date().toISOString() });
    return written;
  }

  /**
   * Checks every row in order: each continues the chain, each keyed row's seal matches its content under a key of
   * the keyring, rows written before keyed sealing (SHA-256 only) come before every keyed row, and the table still
   * holds the anchored row. Names the first row that does not fit.
   */
  async verify(): Promise<TeamAuditVerification> {
    const keyring = await this.trust.keyring(false);
    const anchor = await this.trust.readAnchor(this.name);
    let expected: ChainLink = CHAIN_START;
    let rows = 0;
    let keyedSeen = false;
    let anchorSeen = false;
    for (;;) {
      const batch = await this.pool.query<TeamAuditRow & { seq: string; kid: string | null; target: string | null; legacy: string | null }>(
        `SELECT seq, ${TIMESTAMP.replace('%s', 'at')} AS timestamp, event, actor, action, target, details, kid, prev, hash,
                CASE WHEN kid IS NULL THEN encode(sha256(convert_to(claude_pm_audit_row_text(a), 'UTF8')), 'hex') END AS legacy
         FROM claude_pm_audit a WHERE seq > $1 ORDER BY seq LIMIT $2`,
        [expected.seq, VERIFY_BATCH],
      );
      for (const raw of batch.rows) {
        const seq = Number(raw.seq);
        const broken = (reason: string): TeamAuditVerification => ({ ok: false, rows, firstBrokenSeq: seq, reason });
        const chain = chainBreak(expected, { seq, prev: raw.prev }, 'row');
        if (chain) return broken(chain);
        if (raw.kid === null) {
          if (keyedSeen) return broken('the row is not sealed with an audit key, yet rows before it are (it was written around claude-pm, or forged)');
          if (raw.hash !== raw.legacy) return broken('its content does not match its hash (the row was changed)');
        } else {
          keyedSeen = true;
          const key = keyring?.keys.get(raw.kid);
          if (!key) return broken(`the row is sealed with audit key ${raw.kid}, which is not in ${this.trust.where} (a teammate's key you do not hold, or forged)`);
          const { legacy: _legacy, target, ...row } = raw;
          if (!sealMatches({ ...row, seq, ...(target === null ? {} : { target }) }, key)) return broken('its seal does not match its content (the row was changed, or forged without the key)');
        }
        if (anchor && seq === anchor.seq) {
          if (raw.hash !== anchor.hash) return broken(`row ${seq} is not the one that was written (the row was replaced)`);
          anchorSeen = true;
        }
        expected = { seq, hash: raw.hash };
        rows++;
      }
      if (batch.rows.length < VERIFY_BATCH) break;
    }
    if (anchor && !anchorSeen) {
      return { ok: false, rows, firstBrokenSeq: expected.seq + 1, reason: `the audit table ends at row ${expected.seq}, but row ${anchor.seq} was written or verified (${anchor.updated}): rows were removed from its end` };
    }
    if (rows > 0) await this.anchor({ seq: expected.seq, hash: expected.hash, updated: new Date().toISOString() });
    return { ok: true, rows };
  }

  // The anchor only moves forward: another client may have anchored a later row of the same table meanwhile.
  private async anchor(next: AuditAnchor): Promise<void> {
    const current = await this.trust.readAnchor(this.name).catch(() => undefined);
    if (!current || next.seq > current.seq) await this.trust.writeAnchor(this.name, next);
  }
}

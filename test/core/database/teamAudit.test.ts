import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { TeamAuditTrail } from '../../../src/core/database/audit';
import { migrate } from '../../../src/core/database/migrations';
import { MIGRATIONS } from '../../../src/core/database/schema';
import { AuditLog } from '../../../src/core/security/auditLog';
import { testTrust } from '../../helpers/auditTrust';
import { PostgresCluster } from '../../helpers/postgresCluster';
import { cli } from '../../helpers/runCli';
import { tempDir } from '../../helpers/tempDir';

// The team database's audit trail against a real server: append-only for every role, one keyed chain from
// concurrent writers, and every kind of tampering (done as the superuser, since the app roles cannot) reported.

let cluster: PostgresCluster;
let superuser: pg.Pool;
let database = 0;

before(async () => {
  cluster = await PostgresCluster.start();
  superuser = new pg.Pool({ connectionString: cluster.url(), max: 2 });
  // Roles are cluster-wide: this migration creates the framework's, then each test's database gets its own tables.
  await migrate(superuser);
  await cluster.addTeamLogin(superuser, 'dev', 'developer');
  await cluster.addTeamLogin(superuser, 'vera', 'viewer');
});

after(async () => {
  await superuser?.end();
  await cluster?.destroy();
});

/** A fresh database migrated to `migrations`, with pools for the superuser, a developer and a viewer. */
async function freshDatabase(migrations = MIGRATIONS) {
  const name = `audit${++database}`;
  await superuser.query(`CREATE DATABASE ${name}`);
  const url = (user = 'postgres', password?: string) => cluster.url(user, password, name);
  const owner = new pg.Pool({ connectionString: url(), max: 2 });
  await migrate(owner, migrations);
  const developer = new pg.Pool({ connectionString: url('dev', 'pw-dev'), max: 9 });
  const viewer = new pg.Pool({ connectionString: url('vera', 'pw-vera'), max: 2 });
  after(() => Promise.all([owner.end(), developer.end(), viewer.end()]));
  const { trust, env } = await testTrust();
  return { name, url, owner, developer, viewer, trust, env, trail: (pool: pg.Pool, as = url('dev', 'pw-dev')) => new TeamAuditTrail(pool, as, { trust }) };
}

async function sqlState(pool: pg.Pool, sql: string, params: unknown[] = []): Promise<string | undefined> {
  return pool.query(sql, params).then(
    () => undefined,
    (error: { code?: string }) => error.code,
  );
}

/** Runs `sql` as the superuser with the append-only guard switched off, as only a database administrator could. */
async function tamper(owner: pg.Pool, sql: string): Promise<void> {
  await owner.query('ALTER TABLE claude_pm_audit DISABLE TRIGGER USER');
  try {
    await owner.query(sql);
  } finally {
    await owner.query('ALTER TABLE claude_pm_audit ENABLE TRIGGER USER');
  }
}

const events = (n: number, label = 'event') => Array.from({ length: n }, (_, i) => ({ event: 'memory_write', action: `${label} ${i}`, target: `m-${i}`, details: { i } }));

describe('the team audit trail', () => {
  it('seals rows with the audit key, in the database user\'s name, redacted, and refuses every change', async () => {
    const db = await freshDatabase();
    const [row] = await db.trail(db.developer).append([{ event: 'config_change', action: 'memory add', target: 'd1', details: { note: 'token=abcd1234secret' } }]);
    assert.equal(row!.actor, 'dev');
    assert.match(row!.kid, /^[0-9a-f]{16}$/);
    assert.equal((await db.trust.keyring(false))!.current, row!.kid);
    const stored = await db.owner.query('SELECT actor, kid, hash, details FROM claude_pm_audit');
    assert.deepEqual({ ...stored.rows[0], details: undefined }, { actor: 'dev', kid: row!.kid, hash: row!.hash, details: undefined });
    assert.doesNotMatch(JSON.stringify(stored.rows[0].details), /abcd1234secret/);

    assert.equal(await sqlState(db.developer, 'UPDATE claude_pm_audit SET action = $1', ['forged']), '42501');
    assert.equal(await sqlState(db.developer, 'DELETE FROM claude_pm_audit'), '42501');
    assert.equal(await sqlState(db.owner, 'DELETE FROM claude_pm_audit'), '42501');
    assert.equal(await sqlState(db.owner, 'TRUNCATE claude_pm_audit'), '42501');
    assert.equal(await sqlState(db.viewer, "INSERT INTO claude_pm_audit (event, action) VALUES ('x', 'y')"), '42501');
    // Hand-written rows: unsealed, in someone else's name, or not continuing the chain.
    assert.equal(await sqlState(db.developer, "INSERT INTO claude_pm_audit (event, action) VALUES ('x', 'y')"), '22023');
    const handWritten = (seq: number, actor: string) =>
      sqlState(db.developer, `INSERT INTO claude_pm_audit (seq, at, actor, event, action, kid, prev, hash) VALUES ($1, date_trunc('milliseconds', now()), $2, 'x', 'y', 'aaaaaaaaaaaaaaaa', $3, $4)`, [seq, actor, row!.hash, 'f'.repeat(64)]);
    assert.equal(await handWritten(2, 'vera'), '42501');
    assert.equal(await handWritten(7, 'dev'), '40001');
    assert.deepEqual(await db.trail(db.viewer).verify(), { ok: true, rows: 1 });
  });

  it('8 concurrent writers append one unbroken chain', async () => {
    const db = await freshDatabase();
    const writers = Array.from({ length: 8 }, () => db.trail(db.developer));
    await Promise.all(writers.map(async (trail, w) => {
      for (let i = 0; i < 15; i++) await trail.append(events(i % 3 === 0 ? 2 : 1, `writer ${w}`));
    }));
    const { rows } = await db.owner.query<{ seq: string }>('SELECT seq FROM claude_pm_audit ORDER BY seq');
    assert.equal(rows.length, 8 * 20);
    assert.deepEqual(rows.map((r) => Number(r.seq)), Array.from({ length: 160 }, (_, i) => i + 1));
    assert.deepEqual(await db.trail(db.viewer).verify(), { ok: true, rows: 160 });
  });

  it('reports an altered row', async () => {
    const db = await freshDatabase();
    await db.trail(db.developer).append(events(4));
    await tamper(db.owner, "UPDATE claude_pm_audit SET action = 'nothing happened' WHERE seq = 2");
    const result = await db.trail(db.viewer).verify();
    assert.deepEqual([result.ok, result.firstBrokenSeq], [false, 2]);
    assert.match(result.reason!, /seal does not match its content \(the row was changed/);
  });

  it('reports a deleted row', async () => {
    const db = await freshDatabase();
    await db.trail(db.developer).append(events(5));
    await tamper(db.owner, 'DELETE FROM claude_pm_audit WHERE seq IN (2, 3)');
    const result = await db.trail(db.viewer).verify();
    assert.deepEqual([result.ok, result.firstBrokenSeq, result.reason], [false, 4, 'rows 2–3 are missing before this row (removed, or the table was truncated)']);
  });

  it('reports reordered rows', async () => {
    const db = await freshDatabase();
    await db.trail(db.developer).append(events(4));
    await tamper(db.owner, 'UPDATE claude_pm_audit SET seq = -2 WHERE seq = 2; UPDATE claude_pm_audit SET seq = 2 WHERE seq = 3; UPDATE claude_pm_audit SET seq = 3 WHERE seq = -2');
    const result = await db.trail(db.viewer).verify();
    assert.deepEqual([result.ok, result.firstBrokenSeq], [false, 2]);
    assert.match(result.reason!, /chain is broken before this row: .*reordered/);
  });

  it('reports a forged row: the chain recomputed without the key, or sealed with a key nobody holds', async () => {
    const db = await freshDatabase();
    const [, second] = await db.trail(db.developer).append(events(3));
    // The administrator appends a row that links correctly but cannot seal it.
    await tamper(db.owner, `INSERT INTO claude_pm_audit (seq, at, actor, event, action, details, kid, prev, hash) VALUES (4, now(), 'dev', 'memory_delete', 'cover tracks', '{}', '${second!.kid}', (SELECT hash FROM claude_pm_audit WHERE seq = 3), '${'e'.repeat(64)}')`);
    const forged = await db.trail(db.viewer).verify();
    assert.deepEqual([forged.ok, forged.firstBrokenSeq], [false, 4]);
    assert.match(forged.reason!, /forged without the key/);

    const other = await freshDatabase();
    await other.trail(other.developer).append(events(1));
    const { trust: stranger } = await testTrust();
    const unknown = await new TeamAuditTrail(other.viewer, other.url('vera', 'pw-vera'), { trust: stranger }).verify();
    assert.deepEqual([unknown.ok, unknown.firstBrokenSeq], [false, 1]);
    assert.match(unknown.reason!, /sealed with audit key [0-9a-f]{16}, which is not in .*a teammate's key you do not hold, or forged/);
  });

  it('reports rows removed from the end against the anchor', async () => {
    const db = await freshDatabase();
    await db.trail(db.developer).append(events(5));
    assert.equal((await db.trail(db.viewer).verify()).ok, true);
    await tamper(db.owner, 'DELETE FROM claude_pm_audit WHERE seq >= 4');
    const result = await db.trail(db.viewer).verify();
    assert.equal(result.ok, false);
    assert.match(result.reason!, /the audit table ends at row 3, but row 5 was written or verified .*rows were removed from its end/);
  });

  it('rows of the unkeyed first schema verify before the keyed ones, and an unkeyed row after them is refused', async () => {
    const legacy = await freshDatabase(MIGRATIONS.slice(0, 1));
    await legacy.owner.query("INSERT INTO claude_pm_audit (event, action) VALUES ('config_change', 'before keys'), ('memory_write', 'also before')");
    await migrate(legacy.owner);
    await legacy.trail(legacy.developer).append(events(2));
    assert.deepEqual(await legacy.trail(legacy.viewer).verify(), { ok: true, rows: 4 });
    await tamper(legacy.owner, "INSERT INTO claude_pm_audit (seq, event, action, prev, hash) VALUES (5, 'x', 'unkeyed', (SELECT hash FROM claude_pm_audit WHERE seq = 4), 'abc')");
    const result = await legacy.trail(legacy.viewer).verify();
    assert.deepEqual([result.ok, result.firstBrokenSeq], [false, 5]);
    assert.match(result.reason!, /not sealed with an audit key, yet rows before it are/);
  });

  it('audit verify checks the workspace\'s log and, with the team backend, the database\'s trail; --database the trail alone', async () => {
    const db = await freshDatabase();
    const root = await tempDir();
    await mkdir(join(root, '.claude-pm'), { recursive: true });
    await writeFile(join(root, '.claude-pm', 'config.json'), JSON.stringify({ memory_service: { backend: 'postgres' } }));
    await AuditLog.forWorkspace(root, { trust: db.trust }).append({ event: 'config_change', actor: 'dev@example.com', action: 'set up' });
    await db.trail(db.developer).append(events(3));
    const env = { ...db.env, CLAUDE_PM_DATABASE_URL: db.url('vera', 'pw-vera') };
    const both = await cli(['audit', 'verify', '--format', 'json'], { cwd: root, env });
    assert.equal(both.code, 0, both.stderr);
    const parsed = JSON.parse(both.stdout);
    assert.deepEqual([parsed.ok, parsed.lines, parsed.database.ok, parsed.database.rows], [true, 1, true, 3]);

    await tamper(db.owner, "UPDATE claude_pm_audit SET target = 'elsewhere' WHERE seq = 2");
    const broken = await cli(['audit', 'verify'], { cwd: root, env });
    assert.equal(broken.code, 1);
    assert.match(broken.stdout, /audit\.log: 1 entry, chain intact/);
    assert.match(broken.stdout, /\/audit\d+: audit row 2: its seal does not match its content/);
    const alone = await cli(['audit', 'verify', '--database', '--format', 'json'], { cwd: await tempDir(), env });
    assert.equal(alone.code, 1);
    assert.equal(JSON.parse(alone.stdout).firstBrokenSeq, 2);
    assert.doesNotMatch(both.stdout + broken.stdout + alone.stdout + alone.stderr, /pw-vera/);
  });
});

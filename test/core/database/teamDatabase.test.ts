import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { ChangeFeed, type TeamChange } from '../../../src/core/database/changeFeed';
import { migrate, schemaState, schemaStatus } from '../../../src/core/database/migrations';
import { currentTeamRole } from '../../../src/core/database/roles';
import { LATEST_VERSION, MIGRATIONS } from '../../../src/core/database/schema';
import { withDatabase } from '../../../src/core/database/connection';
import { cli } from '../../helpers/runCli';
import { PostgresCluster } from '../../helpers/postgresCluster';
import { tempDir } from '../../helpers/tempDir';

// One throwaway cluster for the file: schema, roles enforced by the database, the audit table, NOTIFY.

let cluster: PostgresCluster;
let admin: pg.Pool;

before(async () => {
  cluster = await PostgresCluster.start();
  admin = new pg.Pool({ connectionString: cluster.url(), max: 4 });
});

after(async () => {
  await admin?.end();
  await cluster?.destroy();
});

async function loginRole(name: string, role: 'admin' | 'developer' | 'viewer'): Promise<pg.Pool> {
  return new pg.Pool({ connectionString: await cluster.addTeamLogin(admin, name, role), max: 2 });
}

async function refused(pool: pg.Pool, sql: string, params: unknown[] = []): Promise<string> {
  const error = await pool.query(sql, params).then(
    () => undefined,
    (e: unknown) => e as { code?: string; message: string },
  );
  assert.ok(error, `expected the database to refuse: ${sql}`);
  return error.code ?? error.message;
}

describe('team database schema', () => {
  it('migrates once under concurrent callers, and status reports the version', async () => {
    assert.deepEqual((await schemaStatus(admin)).current, 0);
    const results = await Promise.all([migrate(admin), migrate(admin), migrate(admin)]);
    assert.deepEqual(results.map((r) => r.applied.length).sort(), [0, 0, MIGRATIONS.length]);
    const status = await schemaStatus(admin);
    assert.equal(status.current, MIGRATIONS[MIGRATIONS.length - 1]!.version);
    assert.deepEqual(status.pending, []);
  });

  it('rolls a failing migration back entirely', async () => {
    const broken = [...MIGRATIONS, { version: 999, name: 'broken', sql: 'CREATE TABLE claude_pm_half (x int); SELECT no_such_function();' }];
    await assert.rejects(migrate(admin, broken), /migration 999 \(broken\) failed, nothing was changed/);
    const half = await admin.query("SELECT to_regclass('claude_pm_half') AS t");
    assert.equal(half.rows[0].t, null);
    assert.equal((await schemaStatus(admin)).current, MIGRATIONS[MIGRATIONS.length - 1]!.version);
  });
});

describe('schema state', () => {
  it('is behind on a new database, current once migrated, ahead when a newer client migrated it', async () => {
    await admin.query('CREATE DATABASE schema_state');
    const url = cluster.url('postgres', undefined, 'schema_state');
    const state = () => withDatabase(url, async (pool) => schemaState(await schemaStatus(pool)));
    assert.equal(await state(), 'behind');
    await withDatabase(url, (pool) => migrate(pool));
    assert.equal(await state(), 'current');
    await withDatabase(url, (pool) => pool.query("INSERT INTO claude_pm_schema_migrations (version, name) VALUES (9999, 'from a newer client')"));
    assert.equal(await state(), 'ahead');
  });

  it('names the database, not the password, when it cannot be reached', async () => {
    await assert.rejects(
      withDatabase('postgres://bob:pa55word-secret@127.0.0.1:1/team', (pool) => schemaStatus(pool)),
      (error: Error) => /^bob@127\.0\.0\.1:1\/team: /.test(error.message) && !error.message.includes('pa55word-secret'),
    );
  });
});

describe('roles enforced by the database', () => {
  let viewer: pg.Pool;
  let developer: pg.Pool;

  before(async () => {
    viewer = await loginRole('vera', 'viewer');
    developer = await loginRole('dev', 'developer');
  });
  after(async () => {
    await viewer?.end();
    await developer?.end();
  });

  it('a viewer reads but cannot insert, update or delete, whatever SQL it sends', async () => {
    await developer.query("INSERT INTO claude_pm_memories (id, content, category, hash) VALUES ('d1', 'shared note', 'team', 'h-d1')");
    const read = await viewer.query('SELECT id FROM claude_pm_memories');
    assert.deepEqual(read.rows.map((r) => r.id), ['d1']);
    assert.equal(await currentTeamRole(viewer), 'viewer');
    assert.equal(await refused(viewer, "INSERT INTO claude_pm_memories (id, content, category, hash) VALUES ('v1', 'x', 'team', 'h-v1')"), '42501');
    assert.equal(await refused(viewer, "UPDATE claude_pm_memories SET content = 'changed'"), '42501');
    assert.equal(await refused(viewer, 'DELETE FROM claude_pm_memories'), '42501');
    assert.equal(await refused(viewer, "INSERT INTO claude_pm_runs (id, kind, name, status, started_at) VALUES ('r', 'agent', 'qa', 'ok', now())"), '42501');
    assert.equal(await refused(viewer, "INSERT INTO claude_pm_audit (event, action) VALUES ('x', 'y')"), '42501');
    assert.equal(await refused(viewer, 'GRANT claude_pm_developer TO vera'), '42501');
    assert.equal(await refused(viewer, "INSERT INTO claude_pm_memory_lexemes VALUES ('planted')"), '42501');
    assert.equal((await admin.query('SELECT count(*)::int AS n FROM claude_pm_memories')).rows[0].n, 1);
  });

  it('a developer cannot write in someone else\'s name or touch the history', async () => {
    assert.equal(await refused(developer, "INSERT INTO claude_pm_memories (id, content, category, hash, created_by) VALUES ('d2', 'x', 'team', 'h-d2', 'vera')"), '42501');
    assert.equal(await refused(developer, "INSERT INTO claude_pm_memory_history (memory_id, event) VALUES ('d1', 'DELETE')"), '42501');
    await developer.query("UPDATE claude_pm_memories SET content = 'shared note, revised' WHERE id = 'd1'");
    const history = await viewer.query("SELECT event, old_content, actor FROM claude_pm_memory_history WHERE memory_id = 'd1'");
    assert.deepEqual(history.rows, [{ event: 'UPDATE', old_content: 'shared note', actor: 'dev' }]);
    // The search's word dictionary follows every write through its trigger, and only through it.
    const words = await viewer.query<{ lexeme: string }>("SELECT lexeme FROM claude_pm_memory_lexemes WHERE lexeme IN ('share', 'note', 'revis') ORDER BY lexeme");
    assert.deepEqual(words.rows.map((r) => r.lexeme), ['note', 'revis', 'share']);
    assert.equal(await refused(developer, "INSERT INTO claude_pm_memory_lexemes VALUES ('planted')"), '42501');
    assert.equal(await refused(developer, 'DELETE FROM claude_pm_memory_lexemes'), '42501');
  });

  it('db grant through the CLI moves a user between roles', async () => {
    const cwd = await tempDir();
    const env = { CLAUDE_PM_DATABASE_URL: cluster.url() };
    const granted = await cli(['db', 'grant', 'vera', 'developer', '--format', 'json'], { cwd, env });
    assert.equal(granted.code, 0, granted.stderr);
    assert.equal(await currentTeamRole(viewer), 'developer');
    await viewer.query("INSERT INTO claude_pm_memories (id, content, category, hash) VALUES ('v2', 'now allowed', 'team', 'h-v2')");
    assert.equal((await cli(['db', 'grant', 'vera', 'viewer'], { cwd, env })).code, 0);
    assert.equal(await refused(viewer, "INSERT INTO claude_pm_memories (id, content, category, hash) VALUES ('v3', 'refused again', 'team', 'h-v3')"), '42501');
    const bad = await cli(['db', 'grant', 'vera', 'owner'], { cwd, env });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /ROLE must be admin, developer or viewer, not 'owner'/);
  });
});

describe('live changes', () => {
  it('NOTIFY reaches a second client', async () => {
    const seen: TeamChange[] = [];
    let resolveSeen: () => void = () => undefined;
    const arrived = new Promise<void>((resolve) => (resolveSeen = resolve));
    const feed = new ChangeFeed(cluster.url(), (change) => {
      seen.push(change);
      resolveSeen();
    }, () => undefined);
    try {
      await feed.start();
      await admin.query("INSERT INTO claude_pm_memories (id, content, category, hash) VALUES ('n1', 'announced', 'team', 'h-n1')");
      await arrived;
      assert.deepEqual(seen[0], { table: 'memories', op: 'INSERT', id: 'n1' });
    } finally {
      await feed.dispose();
    }
  });
});

describe('db CLI', () => {
  it('status and migrate say what they did; no URL is a clear error', async () => {
    const cwd = await tempDir();
    const status = await cli(['db', 'status', '--format', 'json'], { cwd, env: { CLAUDE_PM_DATABASE_URL: cluster.url('postgres', 'hunter2secret') } });
    assert.equal(status.code, 0, status.stderr);
    const parsed = JSON.parse(status.stdout);
    assert.equal(parsed.pending.length, 0);
    assert.equal(parsed.database, 'postgres@127.0.0.1:' + cluster.port + '/postgres');
    assert.doesNotMatch(status.stdout + status.stderr, /hunter2secret/);
    const migrated = await cli(['db', 'migrate'], { cwd, env: { CLAUDE_PM_DATABASE_URL: cluster.url() } });
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.match(migrated.stdout, new RegExp(`nothing to apply; schema version ${LATEST_VERSION}, up to date`));
    const missing = await cli(['db', 'status'], { cwd, env: {} });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /set CLAUDE_PM_DATABASE_URL/);
    const unreachable = await cli(['db', 'status'], { cwd, env: { CLAUDE_PM_DATABASE_URL: 'postgres://bob:pa55word-secret@127.0.0.1:1/team' } });
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, /bob@127\.0\.0\.1:1\/team/);
    assert.doesNotMatch(unreachable.stderr, /pa55word-secret/);
  });
});

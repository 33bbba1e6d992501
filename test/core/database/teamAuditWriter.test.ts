import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { TeamAuditTrail } from '../../../src/core/database/audit';
import { migrate } from '../../../src/core/database/migrations';
import { appendTeamAuditEvent, queuedTeamAuditEventSchema, TEAM_AUDIT_OUTBOX, TeamAuditWriter } from '../../../src/core/database/teamAuditWriter';
import { Outbox } from '../../../src/core/memory/outbox';
import { AUDIT_KEY_ENV, userAuditTrust } from '../../../src/core/security/auditKeys';
import { AuditLog } from '../../../src/core/security/auditLog';
import { PostgresCluster } from '../../helpers/postgresCluster';
import { cli } from '../../helpers/runCli';
import { tempDir } from '../../helpers/tempDir';

// The editor's queued writer of the team audit trail against a real server: events go in the order recorded,
// wait in the workspace's outbox while the server is down and are sent once when it is back, and the CLI
// appending at the same time keeps one chain, verified by `claude-pm audit verify --database` with the key
// given through CLAUDE_PM_AUDIT_KEY.

let cluster: PostgresCluster;
let superuser: pg.Pool;
let database = 0;

before(async () => {
  cluster = await PostgresCluster.start();
  superuser = new pg.Pool({ connectionString: cluster.url(), max: 2 });
  // The outage test stops the server under these pools: their idle connections end, and are opened again.
  superuser.on('error', () => undefined);
  await migrate(superuser);
  await cluster.addTeamLogin(superuser, 'dev', 'developer');
  await cluster.addTeamLogin(superuser, 'vera', 'viewer');
});

after(async () => {
  await superuser?.end();
  await cluster?.destroy();
});

/**
 * A fresh database, a workspace, and the editor's side: its key kept in a storage of its own (as in secret
 * storage), given to the CLI as CLAUDE_PM_AUDIT_KEY.
 */
async function setUp(options: { migrated?: boolean; user?: 'dev' | 'vera' } = {}) {
  const name = `writer${++database}`;
  await superuser.query(`CREATE DATABASE ${name}`);
  const owner = new pg.Pool({ connectionString: cluster.url('postgres', undefined, name), max: 2 });
  owner.on('error', () => undefined);
  if (options.migrated !== false) await migrate(owner);
  after(() => owner.end());
  const user = options.user ?? 'dev';
  const url = cluster.url(user, `pw-${user}`, name);
  const key = randomBytes(32);
  const configDir = await tempDir('claude-pm-user-');
  const env = { CLAUDE_PM_CONFIG_DIR: configDir, [AUDIT_KEY_ENV]: key.toString('hex') };
  let secret: string | undefined;
  const editorTrust = userAuditTrust({ CLAUDE_PM_CONFIG_DIR: configDir }, { where: 'secret storage', read: async () => secret, write: async (text) => void (secret = text) });
  // The editor's keyring holds the same key the CLI gets through the environment.
  secret = JSON.stringify({ current: (await userAuditTrust(env).keyring(false))!.current, keys: [{ id: (await userAuditTrust(env).keyring(false))!.current, key: key.toString('base64'), created: '' }] });
  const root = await tempDir();
  const outbox = new Outbox(join(root, TEAM_AUDIT_OUTBOX), queuedTeamAuditEventSchema);
  const writer = new TeamAuditWriter(url, outbox, { trust: editorTrust, retryIntervalMs: 60_000 });
  after(() => writer.dispose());
  const rows = async () => (await owner.query<{ action: string; actor: string }>('SELECT action, actor FROM claude_pm_audit ORDER BY seq')).rows;
  const verifyWithCli = async () => {
    const result = await cli(['audit', 'verify', '--database', '--format', 'json'], { cwd: await tempDir(), env: { ...env, CLAUDE_PM_DATABASE_URL: url } });
    const { ok, rows } = JSON.parse(result.stdout) as { ok: boolean; rows: number };
    return { code: result.code, ok, rows };
  };
  return { url, env, root, owner, outbox, writer, editorTrust, rows, verifyWithCli, trail: () => new TeamAuditTrail(owner, url, { trust: editorTrust }) };
}

const event = (action: string) => ({ event: 'config_change', action, target: 'settings' });

describe('the queued team audit writer', () => {
  it('appends the events in the order they were recorded, without the caller waiting for the database', async () => {
    const t = await setUp();
    const actions = Array.from({ length: 30 }, (_, i) => `step ${i}`);
    for (let i = 0; i < actions.length; i += 3) t.writer.record(actions.slice(i, i + 3).map(event));
    await t.writer.settled();
    assert.deepEqual((await t.rows()).map((r) => r.action), actions);
    assert.ok((await t.rows()).every((r) => r.actor === 'dev'));
    assert.equal(t.writer.waiting, 0);
    assert.deepEqual(await t.verifyWithCli(), { code: 0, ok: true, rows: 30 });
  });

  it('keeps events in the workspace outbox while the database is down and sends each once when it is back', async () => {
    const t = await setUp();
    t.writer.record([event('before the outage')]);
    await t.writer.settled();
    await cluster.stop();
    try {
      t.writer.record([event('down 1'), event('down 2')]);
      t.writer.record([event('down 3')]);
      await t.writer.settled();
      assert.equal(t.writer.waiting, 3);
      assert.deepEqual((await t.outbox.pending()).map((q) => q.entry.action), ['down 1', 'down 2', 'down 3']);
      // A second attempt while still down sends nothing and loses nothing.
      await t.writer.drain();
      assert.equal(t.writer.waiting, 3);
    } finally {
      await cluster.startServer();
    }
    t.writer.record([event('after the outage')]);
    await t.writer.settled();
    await t.writer.drain();
    assert.deepEqual((await t.rows()).map((r) => r.action), ['before the outage', 'down 1', 'down 2', 'down 3', 'after the outage']);
    assert.equal(t.writer.waiting, 0);
    assert.deepEqual(await t.trail().verify(), { ok: true, rows: 5 });
    assert.deepEqual(await readdir(join(t.root, TEAM_AUDIT_OUTBOX)).then((files) => files.filter((f) => f.endsWith('.jsonl'))), []);
  });

  it('waits while the schema is not migrated and sends once it is; a viewer\'s connection, which never may append, holds nothing back', async () => {
    const t = await setUp({ migrated: false });
    t.writer.record([event('before the migration')]);
    await t.writer.settled();
    assert.equal(t.writer.waiting, 1);
    await migrate(t.owner);
    await t.writer.drain();
    assert.deepEqual((await t.rows()).map((r) => r.action), ['before the migration']);

    const viewer = await setUp({ user: 'vera' });
    viewer.writer.record([event('refused')]);
    await viewer.writer.settled();
    assert.equal(viewer.writer.waiting, 0);
    assert.deepEqual(await viewer.rows(), []);
  });

  it('a later writer sends what an earlier one left queued', async () => {
    const t = await setUp();
    await t.outbox.pushMany([{ id: 'left-1', ...event('left by a closed window'), attempted: false }]);
    const next = new TeamAuditWriter(t.url, new Outbox(join(t.root, TEAM_AUDIT_OUTBOX), queuedTeamAuditEventSchema), { trust: t.editorTrust });
    try {
      next.record([event('new')]);
      await next.settled();
    } finally {
      await next.dispose();
    }
    assert.deepEqual((await t.rows()).map((r) => r.action), ['left by a closed window', 'new']);
  });

  it('an event whose append committed but whose reply was lost (a crash) is not appended again', async () => {
    const t = await setUp();
    await t.outbox.pushMany([{ id: 'sent-1', ...event('committed, then the window crashed'), attempted: false }, { id: 'next-1', ...event('never sent'), attempted: false }]);
    // The first event reaches the database, and the process dies before marking it sent.
    await t.outbox.replayBatches(1, async ([write]) => {
      await t.trail().append([{ ...write!.entry, details: { event_id: write!.entry.id } }]);
      return false;
    });
    assert.equal((await t.outbox.pending()).length, 2);
    await t.writer.drain();
    assert.deepEqual((await t.rows()).map((r) => r.action), ['committed, then the window crashed', 'never sent']);
    assert.equal(t.writer.waiting, 0);
  });

  it('the CLI appending at the same time keeps one chain, which the CLI verifies with the editor\'s key', async () => {
    const t = await setUp();
    const cliWrites: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      t.writer.record([event(`editor ${i}`)]);
      cliWrites.push(appendTeamAuditEvent(t.url, t.env, event(`cli ${i}`)));
    }
    await Promise.all(cliWrites);
    await t.writer.settled();
    const actions = (await t.rows()).map((r) => r.action);
    assert.equal(actions.length, 40);
    assert.deepEqual(actions.filter((a) => a.startsWith('editor')), Array.from({ length: 20 }, (_, i) => `editor ${i}`));
    assert.deepEqual(new Set(actions.filter((a) => a.startsWith('cli'))).size, 20);
    assert.deepEqual(await t.verifyWithCli(), { code: 0, ok: true, rows: 40 });
  });

  it('an audit log told to forward its entries hands them over in the order of the log', async () => {
    const t = await setUp();
    const log = AuditLog.forWorkspace(t.root, { trust: t.editorTrust, onAppend: (entries) => t.writer.record(entries) });
    await Promise.all(['a', 'b', 'c'].map((action) => log.append({ event: 'config_change', actor: 'dev@example.com', action })));
    await t.writer.settled();
    const local = (await log.read()).map((e) => e.action);
    assert.deepEqual((await t.rows()).map((r) => r.action), local);
    assert.equal((await log.verify()).ok, true);
  });
});

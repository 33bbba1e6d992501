import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { ChangeFeed, type TeamChange } from '../../../src/core/database/changeFeed';
import { migrate } from '../../../src/core/database/migrations';
import { Outbox } from '../../../src/core/memory/outbox';
import { RunStore } from '../../../src/core/orchestration/runStore';
import { queuedTeamRunSchema, TEAM_RUN_OUTBOX, TeamRunRecorder } from '../../../src/core/orchestration/teamRuns';
import { buildChild } from '../../helpers/buildChild';
import { PostgresCluster } from '../../helpers/postgresCluster';
import { tempDir } from '../../helpers/tempDir';
import { finishedRun } from '../../helpers/teamRunWriterChild';

// Finished runs in the team database, against a real server: what a row holds, idempotence, the roles the database
// enforces, NOTIFY, and runs queued by a process killed while the database was down.

let cluster: PostgresCluster;
let admin: pg.Pool;

before(async () => {
  cluster = await PostgresCluster.start();
  admin = new pg.Pool({ connectionString: cluster.url(), max: 4 });
  // Idle connections die with the server the outage test stops; the pool opens new ones.
  admin.on('error', () => undefined);
  await migrate(admin);
});

after(async () => {
  await admin?.end();
  await cluster?.destroy();
});

async function login(name: string, role: 'admin' | 'developer' | 'viewer'): Promise<string> {
  return cluster.addTeamLogin(admin, name, role);
}

async function recorderAs(url: string, options: { replayIntervalMs?: number } = {}): Promise<{ recorder: TeamRunRecorder; root: string }> {
  const root = await tempDir();
  const recorder = new TeamRunRecorder(url, root, { workspace: 'shop', ...options });
  after(() => recorder.dispose());
  return { recorder, root };
}

async function sqlState(pool: pg.Pool, sql: string, params: unknown[] = []): Promise<string | undefined> {
  return pool.query(sql, params).then(
    () => undefined,
    (error: { code?: string }) => error.code,
  );
}

const count = async (where = 'true', params: unknown[] = []) => (await admin.query(`SELECT count(*)::int AS n FROM claude_pm_runs WHERE ${where}`, params)).rows[0].n as number;

describe('run records in the team database', () => {
  let devUrl: string;
  let viewerUrl: string;
  let adminUrl: string;

  before(async () => {
    devUrl = await login('dana', 'developer');
    viewerUrl = await login('vic', 'viewer');
    adminUrl = await login('ada', 'admin');
  });

  it('writes a finished run with its usage, cost, agent type, model, duration, outcome, trigger, user and workspace', async () => {
    const { recorder } = await recorderAs(devUrl);
    const failed = finishedRun(
      'r-failed',
      { status: 'failed', error: 'review did not succeed', trigger: { source: 'github', event: 'pull_request', action: 'opened', deliveryId: 'd1', receivedAt: '2026-11-20T09:59:59.000Z' } },
      { status: 'failed', ranAs: 'engineer' },
    );
    assert.equal(await recorder.record(failed), 'recorded');
    const delegated = finishedRun('r-cancelled', { file: undefined, workflow: 'fix the flaky test', status: 'cancelled', costUsd: 0.5, costEstimated: true }, { agentType: 'engineer', status: 'cancelled', model: 'claude-opus-4' });
    assert.equal(await recorder.record(delegated), 'recorded');
    assert.equal(await recorder.record(finishedRun('r-running', { status: 'running', endedAt: undefined })), undefined);

    const { rows } = await admin.query('SELECT * FROM claude_pm_runs ORDER BY id');
    assert.equal(rows.length, 2);
    const [cancelled, row] = rows;
    assert.equal(row.kind, 'workflow');
    assert.equal(row.name, 'review');
    assert.equal(row.status, 'failed');
    assert.equal(row.agent_type, 'engineer');
    assert.equal(row.model, 'claude-sonnet-4-5');
    assert.equal(row.trigger, 'github pull_request opened');
    assert.equal(row.workspace, 'shop');
    assert.equal(row.created_by, 'dana');
    assert.equal(Number(row.duration_ms), 42_000);
    assert.deepEqual([Number(row.input_tokens), Number(row.output_tokens), Number(row.cache_read_tokens), Number(row.tool_calls)], [1200, 300, 50, 3]);
    assert.equal(Number(row.cost_usd), 0.25);
    assert.equal(row.finished_at.toISOString(), '2026-11-20T10:00:42.000Z');
    assert.equal(row.record.error, 'review did not succeed');
    assert.equal(cancelled.kind, 'agent');
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(cancelled.trigger, 'manual');
    assert.equal(cancelled.cost_estimated, true);
    assert.equal(cancelled.model, 'claude-opus-4');
  });

  it('is idempotent by run id: recording or replaying a run twice leaves one row', async () => {
    const { recorder, root } = await recorderAs(devUrl);
    const run = finishedRun('r-twice');
    assert.equal(await recorder.record(run), 'recorded');
    assert.equal(await recorder.record(run), 'recorded');
    // A replay whose acknowledgement was lost: the outbox still holds a run the database already has.
    const outbox = new Outbox(join(root, TEAM_RUN_OUTBOX), queuedTeamRunSchema);
    await outbox.pushMany([{ run, workspace: 'shop' }, { run, workspace: 'shop' }]);
    await recorder.replay();
    await recorder.replay();
    assert.equal(await count('id = $1', ['r-twice']), 1);
    assert.equal((await outbox.pending()).length, 0);
  });

  it('a viewer cannot record runs, not even with hand-written SQL; a developer only in their own name', async () => {
    const { recorder } = await recorderAs(viewerUrl);
    assert.equal(await recorder.record(finishedRun('r-viewer')), 'refused');
    const viewer = new pg.Pool({ connectionString: viewerUrl, max: 1 });
    const developer = new pg.Pool({ connectionString: devUrl, max: 1 });
    const boss = new pg.Pool({ connectionString: adminUrl, max: 1 });
    try {
      assert.equal(await sqlState(viewer, "INSERT INTO claude_pm_runs (id, kind, name, status, started_at) VALUES ('v1', 'agent', 'x', 'succeeded', now())"), '42501');
      assert.equal(await sqlState(viewer, "INSERT INTO claude_pm_runs (id, kind, name, status, started_at, created_by) VALUES ('v2', 'agent', 'x', 'succeeded', now(), 'dana')"), '42501');
      assert.equal(await sqlState(viewer, "UPDATE claude_pm_runs SET cost_usd = 0"), '42501');
      assert.equal(await sqlState(viewer, 'DELETE FROM claude_pm_runs'), '42501');
      assert.equal(await sqlState(developer, "INSERT INTO claude_pm_runs (id, kind, name, status, started_at, created_by) VALUES ('d1', 'agent', 'x', 'succeeded', now(), 'ada')"), '42501');
      // A recorded run is final for developers, their own included.
      assert.equal(await sqlState(developer, "UPDATE claude_pm_runs SET cost_usd = 0 WHERE created_by = 'dana'"), '42501');
      assert.equal(await sqlState(developer, "DELETE FROM claude_pm_runs WHERE created_by = 'dana'"), '42501');
      assert.ok((await viewer.query('SELECT id FROM claude_pm_runs')).rows.length >= 2, 'viewers read every run');
      assert.equal(await count("id LIKE 'v%'"), 0);
      // Admins manage every run.
      await boss.query("INSERT INTO claude_pm_runs (id, kind, name, status, started_at, created_by) VALUES ('a1', 'agent', 'imported', 'succeeded', now(), 'dana')");
      assert.equal((await boss.query("UPDATE claude_pm_runs SET name = 'corrected' WHERE id = 'a1'")).rowCount, 1);
      assert.equal((await boss.query("DELETE FROM claude_pm_runs WHERE id = 'a1'")).rowCount, 1);
    } finally {
      await Promise.all([viewer.end(), developer.end(), boss.end()]);
    }
  });

  it('announces each recorded run on the change feed', async () => {
    const seen: TeamChange[] = [];
    let arrived: () => void = () => undefined;
    const announced = new Promise<void>((resolve) => (arrived = resolve));
    const feed = new ChangeFeed(cluster.url(), (change) => {
      if (change.table !== 'runs') return;
      seen.push(change);
      arrived();
    }, () => undefined);
    try {
      await feed.start();
      const { recorder } = await recorderAs(devUrl);
      await recorder.record(finishedRun('r-announced'));
      await announced;
      assert.deepEqual(seen, [{ table: 'runs', op: 'INSERT', id: 'r-announced' }]);
    } finally {
      await feed.dispose();
    }
  });

  it('the run history hands each finished run over once: not while running, and interrupted runs too', async () => {
    const { recorder, root } = await recorderAs(devUrl);
    const store = new RunStore(root, recorder);
    const run = finishedRun('r-store', { status: 'running', endedAt: undefined });
    await store.save(run);
    await store.flush(run.id);
    await recorder.settled();
    assert.equal(await count('id = $1', ['r-store']), 0);
    await store.save({ ...run, status: 'succeeded', endedAt: '2026-11-20T10:00:42.000Z' });
    await store.save({ ...run, status: 'succeeded', endedAt: '2026-11-20T10:00:42.000Z', alerts: [] });
    await store.flush(run.id);
    await recorder.settled();
    assert.equal(await count('id = $1', ['r-store']), 1);

    const orphan = finishedRun('r-orphan', { status: 'running', endedAt: undefined, owner: { pid: 999_999_999, host: 'elsewhere' } });
    await store.save(orphan);
    await store.flush(orphan.id);
    assert.deepEqual(await store.markInterrupted(), ['r-orphan']);
    await recorder.settled();
    assert.equal((await admin.query("SELECT status FROM claude_pm_runs WHERE id = 'r-orphan'")).rows[0]?.status, 'interrupted');
  });
});

describe('runs recorded while the database is down', () => {
  it('are queued by a process killed meanwhile, and replayed exactly once after a restart', async () => {
    const url = await login('dora', 'developer');
    const root = await tempDir();
    const script = await buildChild('test/helpers/teamRunWriterChild.ts');
    await cluster.stop('immediate');
    let restarted = false;
    try {
      const child = spawn(process.execPath, [script, url, root, '25'], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
      const queued: string[] = [];
      await new Promise<void>((resolve, reject) => {
        createInterface({ input: child.stdout }).on('line', (line) => {
          if (!line.startsWith('queued ')) return reject(new Error(`expected the run to be queued: ${line}`));
          queued.push(line.slice(7));
          if (queued.length === 25) resolve();
        });
        child.on('close', () => reject(new Error('the writer exited before queueing every run')));
      });
      child.kill('SIGKILL');
      await exited;
      assert.equal((await new Outbox(join(root, TEAM_RUN_OUTBOX), queuedTeamRunSchema).pending()).length, 25);

      await cluster.startServer();
      restarted = true;
      const recorder = new TeamRunRecorder(url, root);
      try {
        await recorder.replay();
        // The next process finds the queue empty, and a second replay sends nothing twice.
        await recorder.replay();
      } finally {
        await recorder.dispose();
      }
      assert.equal(await count("id LIKE 'offline-%'"), 25);
      assert.equal(await count("id LIKE 'offline-%' AND created_by = 'dora'"), 25);
      assert.equal((await new Outbox(join(root, TEAM_RUN_OUTBOX), queuedTeamRunSchema).pending()).length, 0);
    } finally {
      if (!restarted) await cluster.startServer();
    }
  });
});

import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { migrate } from '../../src/core/database/migrations';
import { TeamRunRecorder } from '../../src/core/orchestration/teamRuns';
import { TeamRunSource } from '../../src/core/orchestration/teamRunSource';
import { PostgresCluster } from '../helpers/postgresCluster';
import { cli } from '../helpers/runCli';
import { tempDir } from '../helpers/tempDir';
import { finishedRun } from '../helpers/teamRunWriterChild';

// The team's runs through the CLI against a real server: a workflow run lands in the database, and
// `workflow runs --team` / `workflow costs --team` read every teammate's.

let cluster: PostgresCluster;
let admin: pg.Pool;
const urls = new Map<string, string>();

before(async () => {
  cluster = await PostgresCluster.start();
  admin = new pg.Pool({ connectionString: cluster.url(), max: 2 });
  await migrate(admin);
  for (const [name, role] of [['amy', 'developer'], ['ben', 'developer'], ['val', 'viewer']] as const) {
    urls.set(name, await cluster.addTeamLogin(admin, name, role));
  }
});

after(async () => {
  await admin?.end();
  await cluster?.destroy();
});

async function teamWorkspace(): Promise<string> {
  const root = await tempDir();
  await mkdir(join(root, '.claude-pm', 'workflows'), { recursive: true });
  await writeFile(join(root, '.claude-pm', 'config.json'), JSON.stringify({ memory_service: { backend: 'postgres' }, agents: { runner: 'command', commands: { qa: 'echo qa says {task}', ops: 'exit 3' } } }));
  await writeFile(join(root, '.claude-pm', 'workflows', 'ship.yaml'), 'name: ship\nsteps:\n  - { name: test, agent_type: qa, task: "run tests" }\n  - { name: deploy, agent_type: ops, task: "deploy", depends_on: [test] }\n');
  return root;
}

const env = (user: string) => ({ HOME: '/nonexistent-home', PATH: process.env.PATH, CLAUDE_PM_DATABASE_URL: urls.get(user)! });

async function recordAs(user: string, runs: ReturnType<typeof finishedRun>[]): Promise<void> {
  const recorder = new TeamRunRecorder(urls.get(user)!, await tempDir(), { workspace: `${user}-laptop` });
  try {
    for (const run of runs) assert.equal(await recorder.record(run), 'recorded');
  } finally {
    await recorder.dispose();
  }
}

describe('team runs from the CLI', () => {
  it('a failed workflow run is recorded in the team database in the name of whoever ran it', async () => {
    const root = await teamWorkspace();
    const userDir = await tempDir('claude-pm-user-');
    const run = await cli(['workflow', 'run', '.claude-pm/workflows/ship.yaml', '--skip-memory', '--format', 'json'], { cwd: root, env: { ...env('amy'), CLAUDE_PM_CONFIG_DIR: userDir } });
    assert.equal(run.code, 1, run.stderr);
    const { id, status } = JSON.parse(run.stdout) as { id: string; status: string };
    assert.equal(status, 'failed');
    const { rows } = await admin.query('SELECT kind, name, status, created_by, agent_type, workspace, record FROM claude_pm_runs WHERE id = $1', [id]);
    assert.equal(rows.length, 1);
    assert.deepEqual({ ...rows[0], record: undefined }, { kind: 'workflow', name: 'ship', status: 'failed', created_by: 'amy', agent_type: 'qa, ops', workspace: root.split('/').pop(), record: undefined });
    assert.deepEqual(rows[0].record.steps.map((s: { name: string; status: string }) => [s.name, s.status]), [['test', 'succeeded'], ['deploy', 'failed']]);
    // The run is in the team's audit trail too, sealed with amy's audit key.
    const audited = await admin.query("SELECT actor, action, details->>'run' AS run FROM claude_pm_audit WHERE event = 'workflow_run'");
    assert.deepEqual(audited.rows, [{ actor: 'amy', action: 'run workflow ship', run: id }]);
    const verified = await cli(['audit', 'verify', '--database', '--format', 'json'], { cwd: root, env: { ...env('val'), CLAUDE_PM_CONFIG_DIR: userDir } });
    assert.equal(JSON.parse(verified.stdout).ok, true, verified.stdout);

    const listed = await cli(['workflow', 'runs', '--team', '--format', 'json'], { cwd: await tempDir(), env: env('val') });
    assert.equal(listed.code, 0, listed.stderr);
    const team = JSON.parse(listed.stdout) as { runs: { id: string; user: string; status: string }[] };
    const mine = team.runs.find((r) => r.id === id);
    assert.deepEqual([mine?.user, mine?.status], ['amy', 'failed']);
  });

  it('workflow costs --team sums every teammate\'s spend by agent type, user and day', async () => {
    const day = new Date().toISOString().slice(0, 10);
    const at = `${day}T08:00:00.000Z`;
    const step = (agentType: string, costUsd: number) => ({ agentType, costUsd, startedAt: at, endedAt: at, usage: { input_tokens: 100, output_tokens: 10, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 }, toolCalls: 1 });
    await recordAs('amy', [finishedRun('cost-a1', { startedAt: at }, step('qa', 0.5)), finishedRun('cost-a2', { startedAt: at, status: 'cancelled' }, step('engineer', 1.25))]);
    await recordAs('ben', [finishedRun('cost-b1', { startedAt: at, status: 'failed' }, step('qa', 2))]);
    // Long before the window: not counted.
    await recordAs('ben', [finishedRun('cost-old', { startedAt: '2020-01-01T00:00:00.000Z' }, { ...step('qa', 100), startedAt: '2020-01-01T00:00:00.000Z', endedAt: '2020-01-01T00:00:00.000Z' })]);

    const costs = await cli(['workflow', 'costs', '--team', '--days', '7', '--format', 'json'], { cwd: await tempDir(), env: env('val') });
    assert.equal(costs.code, 0, costs.stderr);
    const parsed = JSON.parse(costs.stdout);
    assert.equal(parsed.total.costUsd, 3.75);
    assert.equal(parsed.total.agentRuns, 3);
    assert.equal(parsed.total.usage.input_tokens, 300);
    assert.deepEqual(parsed.byAgentType.map((t: { agentType: string; costUsd: number }) => [t.agentType, t.costUsd]), [['qa', 2.5], ['engineer', 1.25]]);
    assert.deepEqual(parsed.byUser.map((t: { user: string; costUsd: number; agentRuns: number }) => [t.user, t.costUsd, t.agentRuns]), [['ben', 2, 1], ['amy', 1.75, 2]]);
    assert.deepEqual(parsed.byDay.map((t: { day: string; costUsd: number }) => [t.day, t.costUsd]), [[day, 3.75]]);
    assert.deepEqual(parsed.series, [{ day, agentType: 'engineer', costUsd: 1.25 }, { day, agentType: 'qa', costUsd: 2.5 }]);

    // The dashboard's cost chart reads the same series through the run source.
    const source = new TeamRunSource(urls.get('val')!);
    try {
      assert.deepEqual(await source.dailyCosts(parsed.since), parsed.series);
    } finally {
      await source.dispose();
    }

    const text = await cli(['workflow', 'costs', '--team', '--days', '7'], { cwd: await tempDir(), env: env('val') });
    assert.match(text.stdout, /By user:\n {2}ben +\$ +2\.0000/);
    assert.doesNotMatch(text.stdout + text.stderr, /pw-val/);
  });

  it('a teammate\'s new run reaches an open run source within its change feed, without polling', async () => {
    const source = new TeamRunSource(urls.get('val')!);
    let announced: () => void = () => undefined;
    const changed = new Promise<void>((resolve) => (announced = resolve));
    const stop = source.onDidChange(() => announced());
    try {
      await source.whenListening();
      await recordAs('ben', [finishedRun('live-1')]);
      await changed;
      assert.ok((await source.recentRuns(50)).some((r) => r.id === 'live-1' && r.user === 'ben'));
    } finally {
      stop();
      await source.dispose();
    }
  });

  it('--team without a database URL says what to set', async () => {
    const result = await cli(['workflow', 'costs', '--team'], { cwd: await tempDir(), env: { HOME: '/nonexistent-home', PATH: process.env.PATH } });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /set CLAUDE_PM_DATABASE_URL/);
  });
});

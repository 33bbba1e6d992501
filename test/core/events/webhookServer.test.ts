import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { silentLogger } from '../../../src/core/common/logger';
import { loadConfig } from '../../../src/core/config/loadConfig';
import { createEventListener, createEventRuntime } from '../../../src/core/events/eventListener';
import { listDeliveries, redeliver } from '../../../src/core/events/redeliver';
import { signBody } from '../../../src/core/events/signature';
import type { RunRecord } from '../../../src/core/orchestration/runRecord';
import { RunStore } from '../../../src/core/orchestration/runStore';
import { tempDir } from '../../helpers/tempDir';

const SECRET = 'webhook-test-secret';
const env = { HOME: '/nonexistent-home', PATH: process.env.PATH };

async function workspace(workflows: Record<string, string>): Promise<string> {
  const root = await tempDir('claude-pm-events-');
  await mkdir(join(root, '.claude-pm', 'workflows'), { recursive: true });
  await writeFile(join(root, '.claude-pm', 'config.json'), JSON.stringify({ agents: { runner: 'command', commands: { qa: 'echo qa was asked: {task}', ops: 'echo ops: {task}' } } }));
  for (const [name, text] of Object.entries(workflows)) await writeFile(join(root, '.claude-pm', 'workflows', name), text);
  return root;
}

async function listen(root: string, options: { maxBodyBytes?: number; ratePerMinute?: number } = {}) {
  const { config } = await loadConfig(root, {}, env);
  const started: string[] = [];
  const listener = await createEventListener({ root, config, env, logger: silentLogger, secret: SECRET, port: 0, ...options, onRunsStarted: (_e, runs) => started.push(...runs.map((r) => r.handle.id)) });
  const address = await listener.server.listen();
  return { ...listener, url: `http://127.0.0.1:${address.port}`, started };
}

interface Delivery {
  event?: string;
  id?: string;
  payload: unknown;
  secret?: string | null;
  source?: 'github' | 'gitlab' | 'generic';
}

async function deliver(url: string, d: Delivery): Promise<{ status: number; body: Record<string, unknown> }> {
  const body = JSON.stringify(d.payload);
  const source = d.source ?? 'github';
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const secret = d.secret === undefined ? SECRET : d.secret;
  if (source === 'github') {
    headers['x-github-event'] = d.event ?? 'push';
    if (d.id) headers['x-github-delivery'] = d.id;
    if (secret !== null) headers['x-hub-signature-256'] = signBody(secret, body);
  } else if (source === 'gitlab') {
    headers['x-gitlab-event'] = d.event ?? 'Push Hook';
    if (d.id) headers['idempotency-key'] = d.id;
    if (secret !== null) headers['x-gitlab-token'] = secret;
  } else {
    headers['x-event-name'] = d.event ?? 'custom';
    if (d.id) headers['x-delivery-id'] = d.id;
    if (secret !== null) headers['x-signature-256'] = signBody(secret, body);
  }
  const res = await fetch(`${url}/webhooks/${source}`, { method: 'POST', headers, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const pushTo = (branch: string, files: string[], extra: Record<string, unknown> = {}) => ({ ref: `refs/heads/${branch}`, commits: [{ id: 'c1', message: 'change', added: [], modified: files, removed: [] }], head_commit: { message: 'fix the parser' }, ...extra });

async function runsOf(root: string): Promise<RunRecord[]> {
  return (await new RunStore(root).list()).runs;
}

/** Waits until the listener has no queued delivery and no running run. */
async function idle(server: { stats: { queued: number; activeRuns: number } }, trail: () => Promise<number>, finished: number): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (server.stats.queued === 0 && server.stats.activeRuns === 0 && (await trail()) >= finished) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the listener did not become idle');
}

const finishedCount = (root: string) => async () => {
  const text = await readFile(join(root, '.claude-pm', 'events', 'deliveries.jsonl'), 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l.includes('"outcome":"finished"')).length;
};

const QA_ON_MAIN = 'name: qa-on-main\ntriggers:\n  - { event: push, branches: [main], paths: ["src/**"] }\nsteps:\n  - { name: event, command: "echo $CLAUDE_PM_EVENT_NAME; cat \\"$CLAUDE_PM_EVENT\\"" }\n  - { name: test, agent_type: qa, task: "test {{event.head_commit.message}} on {{event.branch}}" }\n  - { name: only-main, command: "echo main only", condition: "event.ref == \'refs/heads/main\'" }\n';

describe('webhook listener', () => {
  it('runs the workflows a signed push matches, with the event as context, and records the trigger', async () => {
    const root = await workspace({ 'qa.yaml': QA_ON_MAIN, 'other.yaml': 'name: other\ntriggers:\n  - { event: push, branches: [release/*] }\nsteps:\n  - { name: a, command: "echo other" }\n' });
    const l = await listen(root);
    try {
      const res = await deliver(l.url, { id: 'delivery-1', payload: pushTo('main', ['src/parser.ts']) });
      assert.deepEqual(res, { status: 202, body: { status: 'accepted', delivery: 'delivery-1' } });
      await idle(l.server, finishedCount(root), 1);
      const runs = await runsOf(root);
      assert.equal(runs.length, 1);
      const run = runs[0]!;
      assert.equal(run.workflow, 'qa-on-main');
      assert.equal(run.status, 'succeeded', JSON.stringify(run.steps));
      assert.deepEqual({ ...run.trigger, receivedAt: undefined, payloadFile: undefined }, { source: 'github', event: 'push', deliveryId: 'delivery-1', receivedAt: undefined, payloadFile: undefined });
      const [event, test, onlyMain] = run.steps;
      assert.match(event!.outputTail!, /^push\n\{"ref":"refs\/heads\/main"/);
      assert.match(test!.outputTail!, /^qa was asked: \*\*QA Agent\*\*: test fix the parser on main\n/);
      assert.equal(onlyMain!.status, 'succeeded');
      // Every run succeeded: the payload is not kept.
      assert.deepEqual(await readdir(join(root, '.claude-pm', 'events', 'payloads')), []);
      const trail = await listDeliveries(l.log);
      assert.deepEqual(trail[0]!.runs, [{ workflow: 'qa-on-main', runId: run.id, status: 'succeeded' }]);
    } finally {
      await l.server.shutdown(1000);
    }
  });

  it('answers 401 to unsigned and wrongly signed deliveries, runs nothing and audits why', async () => {
    const root = await workspace({ 'qa.yaml': QA_ON_MAIN });
    const l = await listen(root);
    try {
      assert.deepEqual(await deliver(l.url, { id: 'u1', payload: pushTo('main', ['src/a.ts']), secret: null }), { status: 401, body: { error: 'missing X-Hub-Signature-256' } });
      assert.deepEqual(await deliver(l.url, { id: 'w1', payload: pushTo('main', ['src/a.ts']), secret: 'not the secret' }), { status: 401, body: { error: 'X-Hub-Signature-256 does not match the body' } });
      assert.equal((await deliver(l.url, { source: 'gitlab', id: 'g1', payload: pushTo('main', ['src/a.ts']), secret: 'wrong' })).status, 401);
      assert.equal((await deliver(l.url, { source: 'generic', id: 'x1', payload: {}, secret: null })).status, 401);
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(await runsOf(root), []);
      const trail = await l.log.read();
      assert.deepEqual(
        trail.map((r) => [r.outcome, r.source, r.status]),
        [
          ['rejected', 'github', 401],
          ['rejected', 'github', 401],
          ['rejected', 'gitlab', 401],
          ['rejected', 'generic', 401],
        ],
      );
      assert.equal(trail[1]!.reason, 'X-Hub-Signature-256 does not match the body');
      await assert.rejects(readdir(join(root, '.claude-pm', 'events', 'payloads')), /ENOENT/);
    } finally {
      await l.server.shutdown(1000);
    }
  });

  it('answers 200 to a replayed delivery and does not run it again, also after a restart', async () => {
    const root = await workspace({ 'qa.yaml': QA_ON_MAIN });
    let l = await listen(root);
    const delivery = { id: 'same-id', payload: pushTo('main', ['src/a.ts']) };
    try {
      assert.equal((await deliver(l.url, delivery)).status, 202);
      assert.deepEqual(await deliver(l.url, delivery), { status: 200, body: { status: 'duplicate', delivery: 'same-id' } });
      await idle(l.server, finishedCount(root), 1);
    } finally {
      await l.server.shutdown(1000);
    }
    l = await listen(root);
    try {
      assert.deepEqual(await deliver(l.url, delivery), { status: 200, body: { status: 'duplicate', delivery: 'same-id' } });
      assert.equal((await deliver(l.url, { ...delivery, id: 'new-id' })).status, 202);
      await idle(l.server, finishedCount(root), 2);
      assert.equal((await runsOf(root)).length, 2);
    } finally {
      await l.server.shutdown(1000);
    }
  });

  it('applies branch and path filters: only matching pushes start runs', async () => {
    const root = await workspace({ 'qa.yaml': QA_ON_MAIN });
    const l = await listen(root);
    try {
      await deliver(l.url, { id: 'f1', payload: pushTo('feature', ['src/a.ts']) });
      await deliver(l.url, { id: 'f2', payload: pushTo('main', ['docs/readme.md']) });
      await deliver(l.url, { id: 'f3', payload: pushTo('main', ['docs/readme.md', 'src/b.ts']) });
      await deliver(l.url, { source: 'gitlab', event: 'Push Hook', id: 'f4', payload: pushTo('main', ['src/c.ts']) });
      await idle(l.server, finishedCount(root), 4);
      const runs = await runsOf(root);
      assert.deepEqual(runs.map((r) => r.trigger?.deliveryId).sort(), ['f3', 'f4']);
      const trail = await listDeliveries(l.log);
      assert.deepEqual(trail.filter((d) => d.runs.length === 0).map((d) => [d.deliveryId, d.note]).sort(), [
        ['f1', undefined],
        ['f2', undefined],
      ]);
    } finally {
      await l.server.shutdown(1000);
    }
  });

  it('accepts 100 concurrent deliveries, each run once', async () => {
    const root = await workspace({ 'ping.yaml': 'name: ping\ntriggers:\n  - { event: custom }\nsteps:\n  - { name: a, command: "echo $CLAUDE_PM_DELIVERY_ID" }\n' });
    const l = await listen(root);
    try {
      const ids = Array.from({ length: 100 }, (_, i) => `c-${i}`);
      // Every delivery twice at once: the copies race for the same id.
      const results = await Promise.all([...ids, ...ids].map((id) => deliver(l.url, { source: 'generic', id, payload: { n: id } })));
      assert.equal(results.filter((r) => r.status === 202).length, 100);
      assert.equal(results.filter((r) => r.status === 200 && r.body.status === 'duplicate').length, 100);
      await idle(l.server, finishedCount(root), 100);
      const runs = await runsOf(root);
      assert.equal(runs.length, 100);
      assert.deepEqual(runs.map((r) => r.steps[0]!.outputTail!.trim()).sort(), [...ids].sort());
    } finally {
      await l.server.shutdown(1000);
    }
  });

  it('refuses a body over the limit with 413, a form-encoded body with 415, and too many deliveries with 429', async () => {
    const root = await workspace({ 'qa.yaml': QA_ON_MAIN });
    const l = await listen(root, { maxBodyBytes: 1000, ratePerMinute: 3 });
    try {
      const big = await deliver(l.url, { id: 'big', payload: { blob: 'x'.repeat(2000) } });
      assert.equal(big.status, 413);
      assert.match(String(big.body.error), /over the limit of 1000 bytes/);
      const form = await fetch(`${l.url}/webhooks/github`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-github-event': 'push', 'x-hub-signature-256': signBody(SECRET, 'payload=%7B%7D') }, body: 'payload=%7B%7D' });
      assert.equal(form.status, 415);
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await deliver(l.url, { id: `r${i}`, payload: pushTo('x', []) })).status);
      // The form-encoded delivery was authentic, so it used one of the three tokens.
      assert.deepEqual(statuses, [202, 202, 429, 429]);
      assert.equal((await fetch(`${l.url}/webhooks/bitbucket`, { method: 'POST', body: '{}' })).status, 404);
      assert.equal((await fetch(`${l.url}/webhooks/github`)).status, 405);
      const health = (await (await fetch(`${l.url}/healthz`)).json()) as { status: string };
      assert.equal(health.status, 'ok');
    } finally {
      await l.server.shutdown(1000);
    }
  });

  it('on shutdown stops accepting, lets a short run finish and stops a long one after the grace period', async () => {
    const root = await workspace({
      'short.yaml': 'name: short\ntriggers:\n  - { event: short }\nsteps:\n  - { name: a, command: "sleep 0.3; echo done" }\n',
      'long.yaml': 'name: long\ntriggers:\n  - { event: long }\nsteps:\n  - { name: a, command: "sleep 30" }\n',
    });
    const l = await listen(root);
    assert.equal((await deliver(l.url, { source: 'generic', event: 'short', id: 's', payload: {} })).status, 202);
    assert.equal((await deliver(l.url, { source: 'generic', event: 'long', id: 'l', payload: {} })).status, 202);
    for (let i = 0; i < 500 && l.started.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(l.started.length, 2);
    const stopping = l.server.shutdown(1500);
    await assert.rejects(deliver(l.url, { source: 'generic', event: 'short', id: 'late', payload: {} }));
    const summary = await stopping;
    assert.deepEqual(summary, { finished: 1, cancelled: 1, notStarted: 0 });
    const runs = await runsOf(root);
    assert.deepEqual(runs.map((r) => [r.workflow, r.status]).sort(), [
      ['long', 'cancelled'],
      ['short', 'succeeded'],
    ]);
    // The stopped run keeps its payload for redelivery; the one that succeeded does not.
    assert.deepEqual(await readdir(join(root, '.claude-pm', 'events', 'payloads')), ['generic-l.json']);
  });

  it('keeps the payload of a failed run and redelivers it', async () => {
    const root = await workspace({ 'flaky.yaml': 'name: flaky\ntriggers:\n  - { event: deployment_status, state: failure }\nsteps:\n  - { name: a, command: "test -f .claude-pm/ok && echo recovered from $CLAUDE_PM_EVENT_NAME" }\n' });
    const l = await listen(root);
    try {
      await deliver(l.url, { event: 'deployment_status', id: 'dep-1', payload: { action: 'created', deployment_status: { state: 'failure' }, deployment: { ref: 'main' } } });
      await idle(l.server, finishedCount(root), 1);
      const [failed] = await runsOf(root);
      assert.equal(failed!.status, 'failed');
      assert.equal(JSON.parse(await readFile(failed!.trigger!.payloadFile!, 'utf8')).deployment_status.state, 'failure');
    } finally {
      await l.server.shutdown(1000);
    }
    await writeFile(join(root, '.claude-pm', 'ok'), '');
    const { config } = await loadConfig(root, {}, env);
    const runtime = await createEventRuntime({ root, config, env, logger: silentLogger });
    const runs = await redeliver(runtime.log, runtime.dispatcher, 'dep-1');
    const record = await runs[0]!.handle.done;
    assert.equal(record.status, 'succeeded');
    assert.equal(record.steps[0]!.outputTail, 'recovered from deployment_status\n');
    assert.equal((record.trigger as { redelivery?: boolean }).redelivery, true);
    assert.deepEqual(await readdir(join(root, '.claude-pm', 'events', 'payloads')), []);
    await assert.rejects(redeliver(runtime.log, runtime.dispatcher, 'dep-1'), /was not kept/);
  });
});

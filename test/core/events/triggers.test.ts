import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toDeliveryEvent } from '../../../src/core/events/deliveryEvent';
import { renderEventPlaceholders } from '../../../src/core/events/eventDispatcher';
import { globMatches } from '../../../src/core/orchestration/glob';
import { parseWorkflowText } from '../../../src/core/orchestration/workflowFile';
import { eventTriggers, triggerMatches } from '../../../src/core/orchestration/workflowTriggers';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const push = (ref: string, files: string[]) => toDeliveryEvent('github', { 'x-github-event': 'push', 'x-github-delivery': 'd1' }, json({ ref, commits: [{ id: 'a', added: files.slice(0, 1), modified: files.slice(1), removed: [] }] }));
const trigger = (raw: Record<string, unknown>) => {
  const { triggers, issues } = eventTriggers([raw]);
  assert.deepEqual(issues, []);
  return triggers[0]!;
};

describe('globs', () => {
  it('match within and across folders like GitHub Actions filters', () => {
    assert.ok(globMatches('src/**', 'src/a/b.ts'));
    assert.ok(globMatches('src/**/*.ts', 'src/b.ts'));
    assert.ok(!globMatches('src/*', 'src/a/b.ts'));
    assert.ok(globMatches('release/*', 'release/1.2'));
    assert.ok(!globMatches('release/*', 'release/1.2/x'));
    assert.ok(globMatches('docs/{api,guide}/*.md', 'docs/guide/x.md'));
    assert.ok(!globMatches('docs/{api,guide}/*.md', 'docs/other/x.md'));
    assert.ok(globMatches('v?.?', 'v1.2'));
    assert.ok(!globMatches('a.b', 'axb'), 'a dot is literal');
    assert.throws(() => globMatches('src/{a,b', 'src/a'), /unclosed/);
  });
});

describe('workflow triggers', () => {
  it('match push branches and paths', () => {
    const t = trigger({ event: 'push', branches: ['main'], paths: ['src/**'] });
    assert.ok(triggerMatches(t, push('refs/heads/main', ['src/a.ts', 'README.md'])));
    assert.ok(!triggerMatches(t, push('refs/heads/main', ['README.md'])), 'no file under src/');
    assert.ok(!triggerMatches(t, push('refs/heads/feature', ['src/a.ts'])), 'another branch');
    assert.ok(!triggerMatches(t, push('refs/tags/v1', ['src/a.ts'])), 'a tag has no branch');
    assert.ok(triggerMatches(trigger({ event: 'push', tags: 'v*' }), push('refs/tags/v1', [])));
    assert.ok(!triggerMatches(trigger({ event: 'push', branches_ignore: ['dependabot/**'] }), push('refs/heads/dependabot/npm/x', ['a'])));
    assert.ok(!triggerMatches(trigger({ event: 'push', paths_ignore: ['docs/**'] }), push('refs/heads/main', ['docs/a.md'])));
  });

  it('match pull request actions, issue labels and deployment states', () => {
    const pr = toDeliveryEvent('github', { 'x-github-event': 'pull_request' }, json({ action: 'synchronize', pull_request: { base: { ref: 'main' }, labels: [] } }));
    assert.ok(triggerMatches(trigger({ event: 'pull_request', actions: ['opened', 'synchronize'], branches: 'main' }), pr));
    assert.ok(!triggerMatches(trigger({ event: 'pull_request', actions: 'closed' }), pr));
    const issue = toDeliveryEvent('github', { 'x-github-event': 'issues' }, json({ action: 'labeled', issue: { labels: [{ name: 'bug' }, { name: 'agent' }] } }));
    assert.ok(triggerMatches(trigger({ event: 'issues', labels: ['agent'] }), issue));
    assert.ok(!triggerMatches(trigger({ event: 'issues', labels: ['docs'] }), issue));
    const failed = toDeliveryEvent('github', { 'x-github-event': 'deployment_status' }, json({ action: 'created', deployment_status: { state: 'failure' }, deployment: { ref: 'main' } }));
    assert.ok(triggerMatches(trigger({ event: 'deployment_status', state: 'failure' }), failed));
    assert.ok(!triggerMatches(trigger({ event: 'deployment_status', state: 'success' }), failed));
    assert.ok(!triggerMatches(trigger({ event: 'deployment_status', state: 'failure', source: 'gitlab' }), failed));
  });

  it('normalise GitLab deliveries to the same names', () => {
    const gl = (event: string, payload: unknown) => toDeliveryEvent('gitlab', { 'x-gitlab-event': event, 'idempotency-key': 'k1' }, json(payload));
    const p = gl('Push Hook', { object_kind: 'push', ref: 'refs/heads/main', commits: [{ added: ['src/x.ts'], modified: [], removed: [] }] });
    assert.deepEqual([p.name, p.branch, p.paths, p.deliveryId], ['push', 'main', ['src/x.ts'], 'k1']);
    assert.ok(triggerMatches(trigger({ event: 'push', branches: ['main'], paths: ['src/**'] }), p));
    const mr = gl('Merge Request Hook', { object_attributes: { action: 'update', oldrev: 'abc', target_branch: 'main' }, labels: [{ title: 'agent' }] });
    assert.deepEqual([mr.name, mr.action, mr.branch, mr.labels], ['pull_request', 'synchronize', 'main', ['agent']]);
    const opened = gl('Issue Hook', { object_attributes: { action: 'open' }, labels: [{ title: 'agent' }] });
    assert.ok(triggerMatches(trigger({ event: 'issues', actions: ['opened'], labels: ['agent'] }), opened));
    const deploy = gl('Deployment Hook', { status: 'failed', ref: 'main' });
    assert.ok(triggerMatches(trigger({ event: 'deployment_status', state: 'failure' }), deploy));
  });

  it('hash the body into a delivery id when the sender gives none, and refuse bodies that are not objects', () => {
    const a = toDeliveryEvent('generic', { 'x-event-name': 'build' }, json({ x: 1 }));
    const b = toDeliveryEvent('generic', { 'x-event-name': 'build' }, json({ x: 1 }));
    assert.equal(a.deliveryId, b.deliveryId);
    assert.match(a.deliveryId, /^sha256-[0-9a-f]{32}$/);
    assert.throws(() => toDeliveryEvent('generic', { 'x-event-name': 'x' }, Buffer.from('[1]')), /not a JSON object/);
    assert.throws(() => toDeliveryEvent('github', {}, json({})), /missing X-GitHub-Event/);
  });

  it('are validated with the workflow, with the line of a bad entry, and other trigger kinds are kept', () => {
    const ok = parseWorkflowText('w.yaml', 'name: w\nsteps:\n  - { name: a, command: "true" }\ntriggers:\n  - on_schedule: "0 9 * * *"\n  - { event: push, branches: [main] }\n');
    assert.deepEqual(ok.diagnostics, []);
    assert.equal(eventTriggers(ok.workflow!.triggers).triggers.length, 1);
    const bad = parseWorkflowText('w.yaml', 'name: w\nsteps:\n  - { name: a, command: "true" }\ntriggers:\n  - event: push\n    paths: ["src/{a"]\n');
    assert.equal(bad.diagnostics.length, 1);
    assert.equal(bad.diagnostics[0]!.line, 6);
    assert.match(bad.diagnostics[0]!.message, /unclosed/);
  });
});

describe('event placeholders', () => {
  it('fill {{event.…}} from own properties only', () => {
    const event = { name: 'push', head_commit: { message: 'fix it' }, commits: [{ id: 'a' }] };
    assert.equal(renderEventPlaceholders('Test {{ event.head_commit.message }} on {{event.name}}', event), 'Test fix it on push');
    assert.equal(renderEventPlaceholders('{{event.commits}}', event), '[{"id":"a"}]');
    assert.equal(renderEventPlaceholders('[{{event.constructor.name}}][{{event.missing.x}}]', event), '[][]');
  });
});

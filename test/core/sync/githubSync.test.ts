import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { GitHubClient } from '../../../src/core/sync/githubClient';
import { syncGitHubIssues, type SyncGitHubOptions } from '../../../src/core/sync/githubSync';
import { SYNC_STATE_PATH, SyncStateFile } from '../../../src/core/sync/syncState';
import { initTracker, TicketTracker } from '../../../src/core/tickets/tracker';
import { GitHubTestServer } from '../../helpers/githubServer';
import { tempDir } from '../../helpers/tempDir';

const TOKEN = 'ghp_TestTokenNeverPrinted0123456789ab';
const REPO = 'octo-org/octo-repo';

const frontmatter = (text: string) => parse(text.split(/^---$/m)[1]!) as Record<string, unknown>;

let server: GitHubTestServer;
before(async () => {
  server = await GitHubTestServer.start({ token: TOKEN });
});
after(() => server.close());

/** A workspace with an initialised tools-format tracker, and a repository of its own on the test server. */
async function workspace(format: 'tools' | 'pytools' = 'tools'): Promise<{ ws: string; repo: string }> {
  const ws = await tempDir('sync-');
  if (format === 'tools') await initTracker(ws, { name: 'demo' });
  else {
    const { mkdir, writeFile } = await import('node:fs/promises');
    await mkdir(join(ws, '.ai-trackdown'), { recursive: true });
    await writeFile(join(ws, '.ai-trackdown/config.yaml'), 'version: 1.0.0\nproject:\n  name: demo\ntasks:\n  directory: tickets\n');
    await mkdir(join(ws, 'tickets/issues'), { recursive: true });
  }
  return { ws, repo: `${REPO}-${Math.random().toString(36).slice(2, 8)}` };
}

async function sync(ws: string, repo: string, options: Partial<SyncGitHubOptions> & { sleeps?: number[]; maxWaitMs?: number } = {}) {
  const tracker = await TicketTracker.open(ws, { actor: 'tester' });
  const client = new GitHubClient({ baseUrl: server.url, token: TOKEN, maxWaitMs: options.maxWaitMs, sleep: async (ms) => void options.sleeps?.push(ms) });
  try {
    return await syncGitHubIssues(tracker, client, await SyncStateFile.load(ws), { repo, ...options });
  } finally {
    await client.close();
  }
}

async function ticketFiles(ws: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else out.set(relative(ws, path), await readFile(path, 'utf8'));
    }
  };
  await walk(ws);
  return out;
}

const requestsSince = (mark: number) => server.requests.slice(mark);

describe('GitHub issues sync', () => {
  it('turns issues into tickets with state, labels, assignee, comments and a github link; pull requests are skipped', async () => {
    const { ws, repo } = await workspace();
    server.addIssue(repo, { title: 'Login fails on Safari', body: 'Steps:\n1. open\n2. fail', labels: ['bug', 'p1'], assignees: [{ login: 'alice' }] });
    server.addIssue(repo, { title: 'Old idea', state: 'closed', state_reason: 'not_planned' });
    server.addIssue(repo, { title: 'Shipped', state: 'closed', state_reason: 'completed' });
    server.addPullRequest(repo, 'Fix login');
    server.addComment(repo, 1, 'Seen on iOS too');

    const report = await sync(ws, repo);
    assert.deepEqual(report.counts, { create: 3, update: 0, push: 0, conflict: 0, error: 0, unchanged: 0 });
    const tracker = await TicketTracker.open(ws);
    const tickets = tracker.index.tickets().sort((a, b) => a.id.localeCompare(b.id));
    assert.deepEqual(
      tickets.map((t) => [t.id, t.title, t.state ?? t.status, t.normalizedStatus]),
      [
        ['ISS-0001', 'Login fails on Safari', 'planning', 'open'],
        ['ISS-0002', 'Old idea', 'won_t_do', 'cancelled'],
        ['ISS-0003', 'Shipped', 'completed', 'done'],
      ],
    );
    const text = await readFile(tickets[0]!.path, 'utf8');
    const data = frontmatter(text);
    assert.deepEqual(data.github, { repo, number: 1, url: `https://github.com/${repo}/issues/1` });
    assert.deepEqual(data.tags, ['bug', 'p1']);
    assert.equal(data.assignee, 'alice');
    assert.equal(data.description, 'Steps:\n1. open\n2. fail');
    assert.equal(data.sync_status, 'synced');
    assert.match(text, /## Note: 2026-01-01T\d\d:\d\d:\d\dZ\n@octocat on GitHub:\n\n> Seen on iOS too\n/);
    const state = JSON.parse(await readFile(join(ws, SYNC_STATE_PATH), 'utf8'));
    assert.equal(state.version, 1);
  });

  it('a second sync with nothing changed is answered 304 throughout and changes nothing', async () => {
    const { ws, repo } = await workspace();
    for (let i = 0; i < 120; i++) server.addIssue(repo, { title: `Issue ${i}` });
    server.addComment(repo, 3, 'a comment');
    await sync(ws, repo);
    const before = await ticketFiles(ws);
    const mark = server.requests.length;
    const report = await sync(ws, repo);
    assert.equal(report.counts.unchanged, 120);
    assert.equal(report.items.length, 0);
    const second = requestsSince(mark);
    assert.equal(second.length, 2, 'two list pages, nothing else');
    assert.ok(second.every((r) => r.status === 304 && r.ifNoneMatch));
    assert.equal(report.notModified, 2);
    assert.deepEqual(await ticketFiles(ws), before);
  });

  it('follows the Link header across pages, capped at 100 per page', async () => {
    const { ws, repo } = await workspace();
    for (let i = 0; i < 250; i++) server.addIssue(repo, { title: `Issue ${i}` });
    const mark = server.requests.length;
    const report = await sync(ws, repo);
    assert.equal(report.counts.create, 250);
    const lists = requestsSince(mark).filter((r) => /\/issues\?/.test(r.path));
    assert.equal(lists.length, 3);
    assert.match(lists[1]!.path, /page=2/);
    assert.match(lists[2]!.path, /page=3/);
    assert.equal((await TicketTracker.open(ws)).index.tickets().length, 250);
  });

  it('a new page added at the end is read while the unchanged pages answer 304', async () => {
    const { ws, repo } = await workspace();
    for (let i = 0; i < 100; i++) server.addIssue(repo, { title: `Issue ${i}` });
    await sync(ws, repo);
    server.addIssue(repo, { title: 'One more' });
    const mark = server.requests.length;
    const report = await sync(ws, repo);
    assert.equal(report.counts.create, 1);
    assert.deepEqual(
      requestsSince(mark).map((r) => r.status),
      [304, 200],
      'page 1 is unchanged; the Link header of its 304 names the new page 2',
    );
  });

  it('waits as retry-after says on a 403 secondary rate limit, then carries on', async () => {
    const { ws, repo } = await workspace();
    server.addIssue(repo, { title: 'Only one' });
    server.faults.push({ status: 403, retryAfter: 7, path: new RegExp(repo) });
    const sleeps: number[] = [];
    const report = await sync(ws, repo, { sleeps });
    assert.deepEqual(sleeps, [7000]);
    assert.equal(report.counts.create, 1);
    assert.equal(report.waitedSeconds, 7);
  });

  it('waits a minute on a secondary limit without retry-after, and for the reset on a spent primary limit', async () => {
    const { ws, repo } = await workspace();
    server.addIssue(repo, { title: 'Only one' });
    server.faults.push({ status: 429, path: new RegExp(repo) });
    server.faults.push({ status: 403, resetInSeconds: 2, message: 'API rate limit exceeded for user', path: new RegExp(repo) });
    const sleeps: number[] = [];
    const report = await sync(ws, repo, { sleeps });
    assert.equal(sleeps[0], 60_000);
    assert.ok(sleeps[1]! > 1000 && sleeps[1]! <= 4000, `waited ${sleeps[1]} ms for a reset 2 s ahead`);
    assert.equal(report.counts.create, 1);
  });

  it('stops with a clear error when the limit asks for more than the sync may wait, and loses nothing', async () => {
    const { ws, repo } = await workspace();
    server.addIssue(repo, { title: 'Only one' });
    server.faults.push({ status: 403, retryAfter: 3600, path: new RegExp(repo) });
    await assert.rejects(sync(ws, repo, { maxWaitMs: 60_000, sleeps: [] }), /secondary rate limit asks to wait 3600 s more, beyond the 60 s this sync may wait in all\. Nothing was lost: run the sync again after/);
    const report = await sync(ws, repo);
    assert.equal(report.counts.create, 1);
  });

  it('an answer that spends the primary limit holds the next request until the reset', async () => {
    const { ws, repo } = await workspace();
    for (let i = 0; i < 101; i++) server.addIssue(repo, { title: `Issue ${i}` });
    server.remaining = 1;
    const sleeps: number[] = [];
    const report = await sync(ws, repo, { sleeps, maxWaitMs: 2 * 3600_000 });
    server.remaining = 5000;
    assert.equal(report.counts.create, 101);
    assert.equal(sleeps.length, 1);
    assert.ok(sleeps[0]! > 3500_000 && sleeps[0]! <= 3602_000, `waited ${sleeps[0]} ms for a reset an hour ahead`);
  });

  it('a ticket whose issue was deleted on GitHub is reported as an error, the others sync', async () => {
    const { ws, repo } = await workspace();
    server.addIssue(repo, { title: 'Gone soon' });
    server.addIssue(repo, { title: 'Stays' });
    await sync(ws, repo);
    server.deleteIssue(repo, 1);
    const tracker = await TicketTracker.open(ws, { actor: 'tester' });
    await tracker.complete('ISS-0001');
    await tracker.complete('ISS-0002');
    const report = await sync(ws, repo);
    assert.deepEqual(
      report.items.map((i) => [i.action, i.number]),
      [
        ['error', 1],
        ['push', 2],
      ],
    );
    assert.match(report.items[0]!.details[0]!, /GET \/repos\/.*\/issues\/1: 410 This issue was deleted/);
    assert.equal(server.issue(repo, 2).state, 'closed');
  });

  it('a ticket moved and noted here closes its issue and posts the note as a comment, once', async () => {
    const { ws, repo } = await workspace();
    server.addIssue(repo, { title: 'Ship it', labels: ['release'] });
    await sync(ws, repo);
    const tracker = await TicketTracker.open(ws, { actor: 'tester' });
    await tracker.transition('ISS-0001', 'active');
    await tracker.addNote('ISS-0001', 'Deployed to **staging**.');
    await tracker.complete('ISS-0001');
    const mark = server.requests.length;
    const sleeps: number[] = [];
    const report = await sync(ws, repo, { sleeps });
    assert.deepEqual(report.counts, { create: 0, update: 0, push: 1, conflict: 0, error: 0, unchanged: 0 });
    assert.equal(sleeps.length, 1, 'the second write waits');
    assert.ok(sleeps[0]! > 0 && sleeps[0]! <= 1000, `writes a second apart (waited ${sleeps[0]} ms)`);
    assert.equal(report.waitedSeconds, 0, 'spacing writes is no rate-limit wait');
    assert.deepEqual(report.items[0]!.details, ['state closed', '1 note as comment']);
    const issue = server.issue(repo, 1);
    assert.equal(issue.state, 'closed');
    assert.equal(issue.state_reason, 'completed');
    assert.deepEqual(
      server.comments(repo, 1).map((c) => c.body),
      ['Deployed to **staging**.'],
    );
    const writes = requestsSince(mark).filter((r) => r.method !== 'GET');
    assert.deepEqual(
      writes.map((r) => [r.method, r.body]),
      [
        ['POST', { body: 'Deployed to **staging**.' }],
        ['PATCH', { state: 'closed', state_reason: 'completed' }],
      ],
    );
    const again = await sync(ws, repo);
    assert.equal(again.items.length, 0, JSON.stringify(again.items));
    assert.equal(server.comments(repo, 1).length, 1);
  });

  it('an issue edited and commented on GitHub updates its ticket and reopens it', async () => {
    const { ws, repo } = await workspace();
    server.addIssue(repo, { title: 'Flaky test', state: 'closed', state_reason: 'completed' });
    await sync(ws, repo);
    server.editIssue(repo, 1, { title: 'Flaky test on CI', state: 'open', state_reason: 'reopened', labels: ['ci'] });
    server.addComment(repo, 1, 'It came back.\n## Note: not a heading here', 'bob');
    const report = await sync(ws, repo);
    assert.equal(report.counts.update, 1);
    assert.deepEqual(report.items[0]!.details, ['title from GitHub', 'tags from GitHub', 'status planning (reopened on GitHub)', '1 new comment']);
    const ticket = (await TicketTracker.open(ws)).require('ISS-0001');
    assert.equal(ticket.title, 'Flaky test on CI');
    assert.equal(ticket.normalizedStatus, 'open');
    assert.deepEqual(ticket.tags, ['ci']);
    assert.match(await readFile(ticket.path, 'utf8'), /@bob on GitHub:\n\n> It came back\.\n> ## Note: not a heading here\n/);
    const again = await sync(ws, repo);
    assert.equal(again.items.length, 0, JSON.stringify(again.items));
    assert.equal(server.comments(repo, 1).length, 1, 'the imported comment is not sent back');
  });

  it('an issue changed on both sides is a conflict: reported, nothing overwritten on either side', async () => {
    const { ws, repo } = await workspace();
    server.addIssue(repo, { title: 'Pricing page' });
    await sync(ws, repo);
    server.editIssue(repo, 1, { title: 'Pricing page v2' });
    const tracker = await TicketTracker.open(ws, { actor: 'tester' });
    await tracker.complete('ISS-0001');
    await tracker.addNote('ISS-0001', 'Done locally');
    const files = await ticketFiles(ws);
    const issueBefore = structuredClone(server.issue(repo, 1));
    const mark = server.requests.length;
    const report = await sync(ws, repo);
    assert.equal(report.counts.conflict, 1);
    assert.equal(report.items[0]!.ticket, 'ISS-0001');
    assert.deepEqual(report.items[0]!.details, ['changed here and on GitHub since the last sync', 'they differ in title, state', '1 note not yet on GitHub']);
    assert.deepEqual(server.issue(repo, 1), issueBefore);
    assert.ok(requestsSince(mark).every((r) => r.method === 'GET'));
    const after = await ticketFiles(ws);
    for (const [path, text] of files) if (!path.startsWith('.claude-pm')) assert.equal(after.get(path), text, path);
    // Still a conflict next time: the sync never takes a side on its own.
    assert.equal((await sync(ws, repo)).counts.conflict, 1);
  });

  it('a dry run reports the plan and changes nothing on either side', async () => {
    const { ws, repo } = await workspace();
    server.addIssue(repo, { title: 'A' });
    server.addIssue(repo, { title: 'B' });
    await sync(ws, repo);
    server.addIssue(repo, { title: 'C' });
    server.editIssue(repo, 1, { title: 'A2' });
    const tracker = await TicketTracker.open(ws, { actor: 'tester' });
    await tracker.complete('ISS-0002');
    const files = await ticketFiles(ws);
    const mark = server.requests.length;
    const report = await sync(ws, repo, { dryRun: true });
    assert.deepEqual(report.counts, { create: 1, update: 1, push: 1, conflict: 0, error: 0, unchanged: 0 });
    assert.equal(report.dryRun, true);
    assert.ok(requestsSince(mark).every((r) => r.method === 'GET'));
    assert.deepEqual(await ticketFiles(ws), files);
    assert.equal(server.issue(repo, 2).state, 'open');
  });

  it('hostile titles, labels and bodies make safe ticket files inside the ticket root', async () => {
    const { ws, repo } = await workspace();
    const hostile = ['__proto__', '../../etc/passwd', 'constructor', 'a: b\n---\nstatus: done # x', "'\"{}[]&*!|>%@`", '\u0000\u001b[31mred\u202e'];
    for (const title of hostile) server.addIssue(repo, { title, body: `${title}\n---\n${title}`, labels: ['__proto__', 'constructor', '../x', 'a: b'] });
    server.addIssue(repo, { title: 'huge', body: 'x'.repeat(300_000) });
    const report = await sync(ws, repo);
    assert.equal(report.counts.create, hostile.length + 1, JSON.stringify(report.items.filter((i) => i.action === 'error')));
    const tracker = await TicketTracker.open(ws);
    const root = tracker.location.root;
    assert.equal(tracker.index.malformed().length, 0);
    for (const ticket of tracker.index.tickets()) {
      assert.ok(ticket.path.startsWith(`${join(root, 'issues')}/`), ticket.path);
      assert.deepEqual(ticket.tags, ticket.title === 'huge' ? [] : ['__proto__', 'constructor', '../x', 'a: b']);
      assert.ok((await stat(ticket.path)).size < 200_000, 'the body is cut at 65,536 characters (it appears as description and in the body)');
    }
    const titles = tracker.index.tickets().map((t) => t.title);
    assert.ok(titles.includes('__proto__') && titles.includes('../../etc/passwd') && titles.includes('a: b --- status: done # x'));
    assert.ok(titles.includes('[31mred'), titles.join(' | '));
    const huge = tracker.index.tickets().find((t) => t.title === 'huge')!;
    assert.match(huge.description, /\(cut at 65536 characters\)$/);
    assert.ok(tracker.index.tickets().every((t) => t.normalizedStatus === 'open'), 'no title or body set the status');
    assert.equal((await sync(ws, repo)).items.length, 0);
  });

  it('puts the issues of a milestone under one epic when milestones are epics', async () => {
    const { ws, repo } = await workspace();
    const milestone = { number: 4, title: 'v1.0', html_url: `https://github.com/${REPO}/milestone/4` };
    server.addIssue(repo, { title: 'A', milestone });
    server.addIssue(repo, { title: 'B', milestone });
    server.addIssue(repo, { title: 'C' });
    await sync(ws, repo, { milestoneAsEpic: true });
    const tracker = await TicketTracker.open(ws);
    const epic = tracker.require('EP-0001');
    assert.equal(epic.title, 'v1.0');
    assert.deepEqual(
      tracker.index.children('EP-0001').map((t) => t.title),
      ['A', 'B'],
    );
    assert.equal(tracker.require('ISS-0003').epicId, undefined);
  });

  it('finds its tickets by their github link when the sync state is lost, without duplicating them', async () => {
    const { ws, repo } = await workspace();
    server.addIssue(repo, { title: 'Kept' });
    server.addIssue(repo, { title: 'Edited' });
    await sync(ws, repo);
    const { rm } = await import('node:fs/promises');
    await rm(join(ws, SYNC_STATE_PATH));
    server.editIssue(repo, 2, { title: 'Edited on GitHub' });
    const report = await sync(ws, repo);
    assert.equal(report.counts.create, 0);
    assert.deepEqual(
      report.items.map((i) => [i.action, i.number]),
      [['conflict', 2]],
    );
    assert.equal((await TicketTracker.open(ws)).index.tickets().length, 2);
  });

  it('syncs a pytools tree: comments under ## Comments, statuses in its words', async () => {
    const { ws, repo } = await workspace('pytools');
    server.addIssue(repo, { title: 'Py issue', assignees: [{ login: 'a' }, { login: 'b' }] });
    server.addComment(repo, 1, 'hello');
    await sync(ws, repo);
    const tracker = await TicketTracker.open(ws, { actor: 'tester' });
    const ticket = tracker.require('ISS-0001');
    assert.equal(ticket.format, 'pytools');
    assert.deepEqual(ticket.assignees, ['a', 'b']);
    assert.match(await readFile(ticket.path, 'utf8'), /## Comments\n\n### Comment by @octocat - 2026-01-01 \d\d:\d\d:\d\d\n> hello\n/);
    await tracker.addNote('ISS-0001', 'from pytools');
    await tracker.transition('ISS-0001', 'cancelled');
    await sync(ws, repo);
    assert.equal(server.issue(repo, 1).state_reason, 'not_planned');
    assert.deepEqual(
      server.comments(repo, 1).map((c) => c.body),
      ['hello', 'from pytools'],
    );
  });

  it('sends the token with every request and only to the base URL', async () => {
    const { ws, repo } = await workspace();
    server.addIssue(repo, { title: 'x' });
    const mark = server.requests.length;
    await sync(ws, repo);
    assert.ok(requestsSince(mark).every((r) => r.authorization === `Bearer ${TOKEN}`));
    const client = new GitHubClient({ baseUrl: server.url, token: TOKEN });
    assert.throws(() => client.resolve('https://evil.example/repos/x/y/issues?page=2'), /outside http:\/\/127\.0\.0\.1:\d+: not followed/);
    await client.close();
  });
});

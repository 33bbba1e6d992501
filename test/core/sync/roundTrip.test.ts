import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { GitHubClient } from '../../../src/core/sync/githubClient';
import { syncGitHubIssues } from '../../../src/core/sync/githubSync';
import { issueBody, issueLabels, issueTitle, type GitHubIssue } from '../../../src/core/sync/githubIssue';
import { SyncStateFile } from '../../../src/core/sync/syncState';
import { initTracker, TicketTracker } from '../../../src/core/tickets/tracker';
import { GitHubTestServer } from '../../helpers/githubServer';
import { tempDir } from '../../helpers/tempDir';

const TOKEN = 'round-trip-token';
let server: GitHubTestServer;
before(async () => {
  server = await GitHubTestServer.start({ token: TOKEN });
});
after(() => server.close());

async function sync(ws: string, repo: string) {
  const client = new GitHubClient({ baseUrl: server.url, token: TOKEN, sleep: async () => undefined });
  try {
    return await syncGitHubIssues(await TicketTracker.open(ws), client, await SyncStateFile.load(ws), { repo });
  } finally {
    await client.close();
  }
}

// Text people and tools put in issues: YAML and Markdown syntax, quotes, unicode, controls, lone surrogates, CRLF.
const piece = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constantFrom('---', '...', ': ', ' #', '- ', '|', '>', '&a', '*a', '!!str', '"', "'", '{', '[', '%', '@', '`', '\r\n', '\n', '\t', '## Note: x', '### Comment by y - 1', '__proto__', 'constructor', 'null', 'true', '0x1F', '1e3', '~', '\u2028', '\ufeff', '\u0000', '\u001b[2J', '\u202e'),
);
const text = fc.array(piece, { maxLength: 8 }).map((parts) => parts.join(''));

describe('GitHub sync round trip', () => {
  it('any title, body and labels come back from the ticket file exactly as the sync cleaned them, and a second sync sees no change', async () => {
    const samples = fc.sample(fc.record({ title: text, body: fc.option(text), labels: fc.array(text, { maxLength: 4 }) }), { numRuns: 60, seed: 20261129 });
    const ws = await tempDir('sync-roundtrip-');
    await initTracker(ws, { name: 'rt' });
    const repo = 'round/trip';
    const issues = samples.map((s) => server.addIssue(repo, { title: s.title || 'x', body: s.body, labels: s.labels }));
    const first = await sync(ws, repo);
    assert.equal(first.counts.create, samples.length, JSON.stringify(first.items.filter((i) => i.action === 'error')));
    const tracker = await TicketTracker.open(ws);
    assert.equal(tracker.index.malformed().length, 0);
    const byTitle = new Map(tracker.index.tickets().map((t) => [t.id, t]));
    for (const issue of issues) {
      const ticket = [...byTitle.values()].find((t) => t.id === `ISS-${String(issue.number).padStart(4, '0')}`)!;
      const expected = issue as unknown as GitHubIssue;
      assert.equal(ticket.title, issueTitle(expected));
      assert.equal(ticket.description.trim(), issueBody(expected));
      assert.deepEqual([...ticket.tags].sort(), [...issueLabels(expected)].sort());
    }
    const second = await sync(ws, repo);
    assert.deepEqual(second.items, [], 'a ticket read back differs from what was written: it would be pushed or reported as a conflict');
  });
});

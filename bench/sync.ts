// GitHub issues sync figures, printed as JSON on stdout, against the GitHub REST test server on 127.0.0.1:
//   - first sync of BENCH_SYNC_ISSUES issues (default 1000; a tenth with one comment, a fifth closed) into an empty
//     tracker: wall and CPU time, requests made;
//   - second sync with nothing changed: wall and CPU time, requests made, requests answered 304 (saved by ETags);
//   - third sync after BENCH_SYNC_EDITS issues (default 10) were edited on GitHub and as many tickets here.
// CPU time (process.cpuUsage: the sync and the in-process server together) stays meaningful on a loaded machine.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitHubClient } from '../src/core/sync/githubClient';
import { syncGitHubIssues, type SyncReport } from '../src/core/sync/githubSync';
import { SyncStateFile } from '../src/core/sync/syncState';
import { initTracker, TicketTracker } from '../src/core/tickets/tracker';
import { GitHubTestServer } from '../test/helpers/githubServer';

const ISSUES = Number(process.env.BENCH_SYNC_ISSUES ?? 1000);
const EDITS = Number(process.env.BENCH_SYNC_EDITS ?? 10);
const TOKEN = 'bench-token';
const REPO = 'bench/issues';

async function timedSync(root: string, server: GitHubTestServer): Promise<{ report: SyncReport; wallMs: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const tracker = await TicketTracker.open(root);
  const client = new GitHubClient({ baseUrl: server.url, token: TOKEN });
  try {
    const report = await syncGitHubIssues(tracker, client, await SyncStateFile.load(root), { repo: REPO });
    const used = process.cpuUsage(cpu);
    return { report, wallMs: Math.round(performance.now() - started), cpuMs: Math.round((used.user + used.system) / 1000) };
  } finally {
    await client.close();
  }
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'claude-pm-bench-sync-'));
  const server = await GitHubTestServer.start({ token: TOKEN });
  try {
    await initTracker(root, { name: 'bench' });
    for (let i = 1; i <= ISSUES; i++) {
      server.addIssue(REPO, { title: `Issue ${i}: something to do`, body: `Body of issue ${i}\n\n- [ ] a step`, labels: i % 3 ? ['bug'] : ['feature', 'p2'], ...(i % 5 === 0 ? { state: 'closed', state_reason: 'completed' } : {}) });
      if (i % 10 === 0) server.addComment(REPO, i, `A comment on ${i}`);
    }
    const first = await timedSync(root, server);
    const second = await timedSync(root, server);
    const tracker = await TicketTracker.open(root, { actor: 'bench' });
    const tickets = tracker.index.tickets().filter((t) => t.normalizedStatus === 'open');
    for (let i = 0; i < EDITS; i++) {
      server.editIssue(REPO, 1 + i * 7, { title: `Edited on GitHub ${i}` });
      await tracker.addNote(tickets[tickets.length - 1 - i]!.id, `Note ${i} made here`);
    }
    const third = await timedSync(root, server);
    const listPages = Math.ceil(ISSUES / 100);
    console.log(
      JSON.stringify(
        {
          issues: ISSUES,
          first_sync: { wall_ms: first.wallMs, cpu_ms: first.cpuMs, requests: first.report.requests, created: first.report.counts.create },
          second_sync: { wall_ms: second.wallMs, cpu_ms: second.cpuMs, requests: second.report.requests, saved_by_etags: second.report.notModified, unchanged: second.report.counts.unchanged },
          after_edits: { edits_each_side: EDITS, wall_ms: third.wallMs, cpu_ms: third.cpuMs, requests: third.report.requests, saved_by_etags: third.report.notModified, updated: third.report.counts.update, pushed: third.report.counts.push, conflicts: third.report.counts.conflict },
          list_pages: listPages,
        },
        null,
        2,
      ),
    );
  } finally {
    await server.close();
    await rm(root, { recursive: true, force: true });
  }
}

void main();

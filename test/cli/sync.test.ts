import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { initTracker, TicketTracker } from '../../src/core/tickets/tracker';
import { GitHubTestServer } from '../helpers/githubServer';
import { cli } from '../helpers/runCli';
import { tempDir } from '../helpers/tempDir';

const TOKEN = 'ghp_CliTokenMustNeverAppear0123456789';
let server: GitHubTestServer;
before(async () => {
  server = await GitHubTestServer.start({ token: TOKEN, basePath: '/api/v3' });
});
after(() => server.close());

async function workspace(): Promise<{ cwd: string; repo: string }> {
  const cwd = await tempDir('sync-cli-');
  await mkdir(join(cwd, '.claude-pm'), { recursive: true });
  await initTracker(cwd, { name: 'demo' });
  return { cwd, repo: `acme/widgets-${Math.random().toString(36).slice(2, 8)}` };
}

const run = (cwd: string, args: string[], env: NodeJS.ProcessEnv = { GITHUB_TOKEN: TOKEN }) => cli(['sync', 'github', '--base-url', server.url, ...args], { cwd, env });

describe('claude-pm sync github', () => {
  it('creates tickets, reports in text and JSON, audits the sync, and a second run is all 304s', async () => {
    const { cwd, repo } = await workspace();
    server.addIssue(repo, { title: 'First', labels: ['bug'] });
    server.addIssue(repo, { title: 'Second', state: 'closed', state_reason: 'completed' });
    const first = await run(cwd, ['--repo', repo]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`^${repo}: 2 created, 0 updated, 0 pushed to GitHub, 0 conflicts, 0 errors, 0 unchanged \\(1 request\\)\\n`));
    assert.match(first.stdout, /created {6}#1 {5}ISS-0001 {2}First: new ticket from #1\n/);
    const second = await run(cwd, ['--repo', repo, '--format', 'json']);
    const report = JSON.parse(second.stdout) as { counts: Record<string, number>; requests: number; notModified: number };
    assert.deepEqual(report.counts, { create: 0, update: 0, push: 0, conflict: 0, error: 0, unchanged: 2 });
    assert.equal(report.requests, 1);
    assert.equal(report.notModified, 1);
    const audit = await readFile(join(cwd, '.claude-pm/logs/audit.log'), 'utf8');
    assert.equal(audit.split('\n').filter((l) => l.includes('"ticket_sync"')).length, 2);
    assert.ok(server.requests.every((r) => r.path.startsWith('/api/v3/')));
  });

  it('takes the repository from the config, and refuses a base URL only the config names', async () => {
    const { cwd, repo } = await workspace();
    server.addIssue(repo, { title: 'From config' });
    await writeFile(join(cwd, '.claude-pm/config.json'), JSON.stringify({ sync: { github: { repo } } }));
    const ok = await run(cwd, []);
    assert.equal(ok.code, 0, ok.stderr);
    await writeFile(join(cwd, '.claude-pm/config.json'), JSON.stringify({ sync: { github: { repo, base_url: 'https://github.evil.example/api/v3' } } }));
    const refused = await cli(['sync', 'github'], { cwd, env: { GITHUB_TOKEN: TOKEN } });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /not sending your GitHub token to https:\/\/github\.evil\.example: only .*config\.json names it/);
    await writeFile(join(cwd, '.claude-pm/config.json'), JSON.stringify({ sync: { github: { repo, base_url: server.url } } }));
    const local = await cli(['sync', 'github'], { cwd, env: { GITHUB_TOKEN: TOKEN } });
    assert.equal(local.code, 0, 'a server on this machine may be named by the config');
  });

  it('says what is missing: the repository, the token, a valid --prefer', async () => {
    const { cwd } = await workspace();
    const noRepo = await run(cwd, []);
    assert.equal(noRepo.code, 2);
    assert.match(noRepo.stderr, /name the repository: --repo OWNER\/NAME/);
    const badRepo = await run(cwd, ['--repo', '../../etc']);
    assert.equal(badRepo.code, 2);
    const noToken = await run(cwd, ['--repo', 'a/b'], {});
    assert.equal(noToken.code, 1);
    assert.match(noToken.stderr, /set GITHUB_TOKEN to a GitHub token/);
    assert.equal((await run(cwd, ['--repo', 'a/b', '--prefer', 'mine'])).code, 2);
  });

  it('never prints the token, also when GitHub refuses it', async () => {
    const { cwd, repo } = await workspace();
    const wrong = 'ghp_WrongTokenAlsoNeverPrinted98765432';
    const refused = await run(cwd, ['--repo', repo, '--verbose'], { GITHUB_TOKEN: wrong });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /401 Bad credentials/);
    assert.ok(!`${refused.stdout}${refused.stderr}`.includes(wrong));
  });

  it('a conflict exits 1 naming the file; --prefer github settles it with the issue', async () => {
    const { cwd, repo } = await workspace();
    server.addIssue(repo, { title: 'Both sides' });
    assert.equal((await run(cwd, ['--repo', repo])).code, 0);
    server.editIssue(repo, 1, { title: 'Changed on GitHub' });
    await (await TicketTracker.open(cwd)).complete('ISS-0001');
    const conflict = await run(cwd, ['--repo', repo]);
    assert.equal(conflict.code, 1);
    assert.match(conflict.stdout, /conflict {5}#1 {5}ISS-0001 {2}Both sides: changed here and on GitHub since the last sync; they differ in title, state\n {13}tasks\/issues\/ISS-0001-both-sides\.md {2}https:\/\/github\.com\//);
    assert.match(conflict.stdout, /--prefer github/);
    const settled = await run(cwd, ['--repo', repo, '--prefer', 'github']);
    assert.equal(settled.code, 0, settled.stdout);
    const ticket = (await TicketTracker.open(cwd)).require('ISS-0001');
    assert.equal(ticket.title, 'Changed on GitHub');
    assert.equal(ticket.normalizedStatus, 'open');
    assert.equal((await run(cwd, ['--repo', repo])).code, 0);
  });

  it('--dry-run prints the plan, writes nothing and needs no write permission', async () => {
    const { cwd, repo } = await workspace();
    server.addIssue(repo, { title: 'Planned' });
    await writeFile(join(cwd, '.claude-pm', 'policy.json'), JSON.stringify({ default_role: 'viewer' }));
    const denied = await run(cwd, ['--repo', repo]);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /may not sync github: the permission 'ticket\.write' is missing/);
    const before = await readdir(join(cwd, 'tasks/issues'));
    const plan = await run(cwd, ['--repo', repo, '--dry-run']);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /^Dry run, nothing changed\. .*: would create 1 ticket, update 0, push 0 issues/);
    assert.match(plan.stdout, /would create #1 +Planned: new ticket from #1/);
    assert.deepEqual(await readdir(join(cwd, 'tasks/issues')), before);
    assert.ok(!(await readdir(join(cwd, '.claude-pm'))).includes('sync'), 'no sync state written');
  });
});

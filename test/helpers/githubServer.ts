// A real HTTP server on 127.0.0.1 answering the GitHub REST calls the issue sync makes, as github-api.md §3
// documents them: required headers (410 for an unsupported API version), Bearer tokens, `per_page` capped at
// 100, `Link` pagination, weak ETags and 304s that spend no rate-limit point, x-ratelimit-* headers, 403/429
// rate limits (scripted), 404/410 on a single issue, and pull requests inside the issue list.

import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestIssue {
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  state_reason: string | null;
  labels: { name: string }[];
  assignees: { login: string }[];
  milestone: { number: number; title: string; html_url: string } | null;
  comments: number;
  created_at: string;
  updated_at: string;
  html_url: string;
  pull_request?: { url: string };
}

export interface TestComment {
  id: number;
  body: string;
  user: { login: string };
  created_at: string;
}

export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
  authorization?: string;
  ifNoneMatch?: string;
  body?: unknown;
}

/** A scripted refusal of the next request (matching `path`, when given). */
export interface Fault {
  status: 403 | 429;
  retryAfter?: number;
  /** Primary limit: `x-ratelimit-remaining: 0` with a reset this many seconds ahead. */
  resetInSeconds?: number;
  message?: string;
  path?: RegExp;
}

const API_VERSIONS = new Set(['2022-11-28', '2026-03-10']);
const HOUR_LIMIT = 5000;

export class GitHubTestServer {
  readonly requests: LoggedRequest[] = [];
  readonly faults: Fault[] = [];
  /** Requests refused for a missing or wrong token, or a missing User-Agent: none expected. */
  unauthorized = 0;
  remaining = HOUR_LIMIT;
  private readonly repos = new Map<string, { issues: Map<number, TestIssue>; comments: Map<number, TestComment[]>; deleted: Set<number> }>();
  private clock = Date.parse('2026-01-01T00:00:00Z');
  private nextCommentId = 1000;
  private server = createServer((req, res) => void this.handle(req, res));
  url = '';
  private origin = '';

  private constructor(
    private readonly token: string,
    private readonly basePath: string,
  ) {}

  /** Starts on a free port; `basePath` `/api/v3` makes it look like GitHub Enterprise Server. */
  static async start(options: { token: string; basePath?: string }): Promise<GitHubTestServer> {
    const server = new GitHubTestServer(options.token, options.basePath ?? '');
    await new Promise<void>((resolve) => server.server.listen(0, '127.0.0.1', resolve));
    server.origin = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
    server.url = `${server.origin}${server.basePath}`;
    return server;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Each change moves the clock one second, so every edit gets a new `updated_at`, as on GitHub. */
  private tick(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  private repo(name: string) {
    let repo = this.repos.get(name);
    if (!repo) this.repos.set(name, (repo = { issues: new Map(), comments: new Map(), deleted: new Set() }));
    return repo;
  }

  addIssue(repoName: string, fields: Partial<Omit<TestIssue, 'labels'>> & { labels?: string[] } = {}): TestIssue {
    const repo = this.repo(repoName);
    const number = fields.number ?? repo.issues.size + repo.deleted.size + 1;
    const at = this.tick();
    const { labels, ...rest } = fields;
    const issue: TestIssue = {
      title: `Issue ${number}`,
      body: null,
      state: 'open',
      state_reason: null,
      assignees: [],
      milestone: null,
      comments: 0,
      created_at: at,
      updated_at: at,
      html_url: `https://github.com/${repoName}/issues/${number}`,
      ...rest,
      labels: (labels ?? []).map((name) => ({ name })),
      number,
    };
    repo.issues.set(number, issue);
    return issue;
  }

  addPullRequest(repoName: string, title: string): TestIssue {
    const issue = this.addIssue(repoName, { title });
    issue.pull_request = { url: `${this.url}/repos/${repoName}/pulls/${issue.number}` };
    issue.html_url = `https://github.com/${repoName}/pull/${issue.number}`;
    return issue;
  }

  issue(repoName: string, number: number): TestIssue {
    const issue = this.repo(repoName).issues.get(number);
    if (!issue) throw new Error(`no issue #${number} in ${repoName}`);
    return issue;
  }

  /** An edit made on GitHub: the fields change and `updated_at` moves. */
  editIssue(repoName: string, number: number, changes: Partial<Omit<TestIssue, 'labels'>> & { labels?: string[] }): TestIssue {
    const issue = this.issue(repoName, number);
    const { labels, ...rest } = changes;
    Object.assign(issue, rest, { updated_at: this.tick() });
    if (labels) issue.labels = labels.map((name) => ({ name }));
    return issue;
  }

  addComment(repoName: string, number: number, body: string, login = 'octocat'): TestComment {
    const issue = this.issue(repoName, number);
    const comment: TestComment = { id: this.nextCommentId++, body, user: { login }, created_at: this.tick() };
    const list = this.repo(repoName).comments.get(number) ?? [];
    list.push(comment);
    this.repo(repoName).comments.set(number, list);
    issue.comments = list.length;
    issue.updated_at = comment.created_at;
    return comment;
  }

  comments(repoName: string, number: number): TestComment[] {
    return this.repo(repoName).comments.get(number) ?? [];
  }

  deleteIssue(repoName: string, number: number): void {
    this.repo(repoName).issues.delete(number);
    this.repo(repoName).deleted.add(number);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const logged: LoggedRequest = { method: req.method ?? 'GET', path: url.pathname + url.search, status: 0, authorization: req.headers.authorization, ifNoneMatch: req.headers['if-none-match'] };
    if (raw) logged.body = JSON.parse(raw) as unknown;
    this.requests.push(logged);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      logged.status = status;
      if (status !== 304) this.remaining = Math.max(0, this.remaining - 1);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...this.rateHeaders(), ...headers });
      res.end(status === 304 ? undefined : JSON.stringify(body));
    };

    if (!req.headers['user-agent']) return send(403, { message: 'Request forbidden by administrative rules. Please make sure your request has a User-Agent header' });
    const version = req.headers['x-github-api-version'];
    if (typeof version === 'string' && !API_VERSIONS.has(version)) return send(410, { message: `API version ${version} is not supported` });
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      this.unauthorized++;
      return send(401, { message: 'Bad credentials' });
    }
    const faultAt = this.faults.findIndex((f) => !f.path || f.path.test(logged.path));
    if (faultAt !== -1) {
      const [fault] = this.faults.splice(faultAt, 1);
      const headers: Record<string, string> = {};
      if (fault!.retryAfter !== undefined) headers['retry-after'] = String(fault!.retryAfter);
      if (fault!.resetInSeconds !== undefined) {
        this.remaining = 0;
        headers['x-ratelimit-reset'] = String(Math.ceil(Date.now() / 1000) + fault!.resetInSeconds);
      }
      send(fault!.status, { message: fault!.message ?? 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' }, headers);
      if (fault!.resetInSeconds !== undefined) this.remaining = HOUR_LIMIT;
      return;
    }

    if (!url.pathname.startsWith(`${this.basePath}/repos/`)) return send(404, { message: 'Not Found' });
    const parts = url.pathname.slice(this.basePath.length + '/repos/'.length).split('/');
    const [owner, name, kind, numberText, sub] = parts;
    if (!owner || !name || kind !== 'issues') return send(404, { message: 'Not Found' });
    const repo = this.repo(`${owner}/${name}`);
    const body = logged.body as Record<string, unknown> | undefined;

    if (numberText === undefined) {
      if (req.method === 'GET') return this.sendPage(req, res, send, url, this.listIssues(repo.issues, url.searchParams));
      return send(404, { message: 'Not Found' });
    }
    const number = Number(numberText);
    const issue = repo.issues.get(number);
    if (!issue) return send(repo.deleted.has(number) ? 410 : 404, { message: repo.deleted.has(number) ? 'This issue was deleted' : 'Not Found' });
    if (sub === 'comments') {
      if (req.method === 'GET') return this.sendPage(req, res, send, url, repo.comments.get(number) ?? []);
      if (req.method === 'POST' && typeof body?.body === 'string') return send(201, this.addComment(`${owner}/${name}`, number, body.body, 'claude-pm-user'));
      return send(422, { message: 'Validation Failed' });
    }
    if (sub !== undefined) return send(404, { message: 'Not Found' });
    if (req.method === 'GET') return send(200, issue, { etag: etagOf(issue) });
    if (req.method === 'PATCH' && body) {
      const changes: Partial<Omit<TestIssue, 'labels'>> & { labels?: string[] } = {};
      if (typeof body.title === 'string') changes.title = body.title;
      if (typeof body.body === 'string' || body.body === null) changes.body = body.body;
      if (Array.isArray(body.labels)) changes.labels = body.labels.map(String);
      if (body.state === 'open' || body.state === 'closed') {
        // `state_reason` only counts when the state changes (github-api.md).
        if (body.state !== issue.state) changes.state_reason = typeof body.state_reason === 'string' ? body.state_reason : body.state === 'closed' ? 'completed' : 'reopened';
        changes.state = body.state;
      }
      return send(200, this.editIssue(`${owner}/${name}`, number, changes));
    }
    return send(404, { message: 'Not Found' });
  }

  private listIssues(issues: Map<number, TestIssue>, query: URLSearchParams): TestIssue[] {
    const state = query.get('state') ?? 'open';
    const since = query.get('since');
    const sort = query.get('sort') ?? 'created';
    const direction = query.get('direction') ?? 'desc';
    const list = [...issues.values()].filter((i) => (state === 'all' || i.state === state) && (!since || i.updated_at >= since));
    const key = (i: TestIssue) => (sort === 'updated' ? i.updated_at : sort === 'comments' ? String(i.comments).padStart(9, '0') : i.created_at + String(i.number).padStart(9, '0'));
    list.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0) * (direction === 'asc' ? 1 : -1));
    return list;
  }

  private sendPage(req: IncomingMessage, _res: ServerResponse, send: (status: number, body: unknown, headers?: Record<string, string>) => void, url: URL, all: unknown[]): void {
    const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page') ?? 30) || 30));
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
    const last = Math.max(1, Math.ceil(all.length / perPage));
    const items = all.slice((page - 1) * perPage, page * perPage);
    const link = (p: number) => {
      const u = new URL(url.href);
      u.searchParams.set('page', String(p));
      u.searchParams.set('per_page', String(perPage));
      return `<${this.origin}${u.pathname}${u.search}>`;
    };
    const rels = [...(page < last ? [`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`] : []), ...(page > 1 ? [`${link(1)}; rel="first"`, `${link(page - 1)}; rel="prev"`] : [])];
    const etag = etagOf(items);
    const headers: Record<string, string> = { etag, ...(rels.length ? { link: rels.join(', ') } : {}) };
    if (req.headers['if-none-match'] === etag) return send(304, undefined, headers);
    send(200, items, headers);
  }

  private rateHeaders(): Record<string, string> {
    return {
      'x-ratelimit-limit': String(HOUR_LIMIT),
      'x-ratelimit-remaining': String(this.remaining),
      'x-ratelimit-used': String(HOUR_LIMIT - this.remaining),
      'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 3600),
      'x-ratelimit-resource': 'core',
    };
  }
}

function etagOf(value: unknown): string {
  return `W/"${createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 40)}"`;
}

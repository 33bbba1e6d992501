// GitHub Issues ⇄ ai-trackdown tickets. Issues become tickets; a ticket changed here since the last sync sends its
// new notes as comments and its state, title, text and tags back; an issue changed on both sides is a conflict,
// reported and left alone on both. A dry run only reads.

import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Ticket } from '../tickets/model';
import type { TicketTracker } from '../tickets/tracker';
import { editFrontmatter, type FieldChanges } from '../tickets/writer';
import { GitHubApiError, RateLimitError, type GitHubClient } from './githubClient';
import { cleanLine, commentSchema, issueAssignees, issueBody, issueLabels, issueSchema, issueState, issueTitle, type GitHubComment, type GitHubIssue, type IssueState } from './githubIssue';
import { findLinks, LINK_KEY, type LinkedTicket, type Links } from './linkedTickets';
import { withSyncLock } from './syncLock';
import type { PageState, RepoSyncState, SyncStateFile } from './syncState';
import { appendComments, sameSet, sameView, ticketNotes, ticketState, ticketView, viewHash, type SyncView } from './ticketView';

export interface SyncGitHubOptions {
  /** `owner/name`. */
  repo: string;
  dryRun?: boolean;
  /** Put each issue of a milestone under an epic made for that milestone (when the ticket is created). */
  milestoneAsEpic?: boolean;
  /** Settles conflicts, when the user says so: `github` takes the issue's side, `local` sends the ticket's. */
  prefer?: 'github' | 'local';
  onProgress?: (message: string) => void;
}

export type SyncAction = 'create' | 'update' | 'push' | 'conflict' | 'error';

export interface SyncItem {
  action: SyncAction;
  number: number;
  title: string;
  url?: string;
  ticket?: string;
  /** The ticket file, absolute. */
  path?: string;
  /** What changes, or why it could not. */
  details: string[];
}

export interface SyncReport {
  repo: string;
  dryRun: boolean;
  items: SyncItem[];
  counts: Record<SyncAction | 'unchanged', number>;
  requests: number;
  notModified: number;
  waitedSeconds: number;
}

// 100 issues a page: a million issues. A server that keeps naming new pages beyond that is not followed further.
const MAX_PAGES = 10_000;
const REPO_PATTERN = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/** Checks an `owner/name` from the command line or the config before it becomes part of a URL. */
export function parseRepo(value: string): string {
  const repo = value.trim();
  if (!REPO_PATTERN.test(repo) || repo.split('/').some((part) => part === '.' || part === '..')) throw new Error(`'${cleanLine(value, 200)}' is not a GitHub repository: expected OWNER/NAME, e.g. octo-org/octo-repo`);
  return repo;
}

interface RemoteIssue {
  updatedAt: string;
  comments: number;
  /** The whole issue, when a page with it was sent (not answered 304). */
  issue?: GitHubIssue;
}

export async function syncGitHubIssues(tracker: TicketTracker, client: GitHubClient, stateFile: SyncStateFile, options: SyncGitHubOptions): Promise<SyncReport> {
  const sync = new GitHubSync(tracker, client, stateFile, options);
  // A dry run writes nothing, not even a lock.
  return options.dryRun ? sync.run() : withSyncLock(join(dirname(stateFile.path), 'github.lock'), () => sync.run());
}

class GitHubSync {
  private readonly repo: string;
  private readonly state: RepoSyncState;
  private readonly items: SyncItem[] = [];
  private unchanged = 0;
  private links: Links = { issues: new Map(), milestones: new Map() };

  constructor(
    private readonly tracker: TicketTracker,
    private readonly client: GitHubClient,
    private readonly stateFile: SyncStateFile,
    private readonly options: SyncGitHubOptions,
  ) {
    this.repo = parseRepo(options.repo);
    this.state = stateFile.repo(this.repo.toLowerCase());
  }

  async run(): Promise<SyncReport> {
    const dryRun = this.options.dryRun === true;
    if (!dryRun && this.tracker.location.escapesWorkspace) throw new Error(`${this.tracker.location.root} links out of the workspace: no ticket is written through it`);
    this.links = await findLinks(this.tracker, this.repo);
    try {
      const { remote, pages } = await this.listIssues();
      const numbers = [...new Set([...remote.keys(), ...this.links.issues.keys()])].sort((a, b) => a - b);
      let done = 0;
      for (const number of numbers) {
        if (++done % 50 === 0) this.progress(`${done} of ${numbers.length} issues compared`);
        await this.syncOne(number, remote.get(number), dryRun);
      }
      if (!dryRun) this.state.pages = pages;
    } finally {
      // What was written stays recorded, also when a rate limit stopped the sync half-way.
      if (!dryRun) await this.stateFile.save();
    }
    return this.report(dryRun);
  }

  private report(dryRun: boolean): SyncReport {
    const counts = { create: 0, update: 0, push: 0, conflict: 0, error: 0, unchanged: this.unchanged };
    for (const item of this.items) counts[item.action]++;
    const { requests, notModified, waitedMs } = this.client.stats;
    return { repo: this.repo, dryRun, items: this.items, counts, requests, notModified, waitedSeconds: Math.round(waitedMs / 1000) };
  }

  private progress(message: string): void {
    this.options.onProgress?.(message);
  }

  private get issuesPath(): string {
    return `/repos/${this.repo}/issues`;
  }

  /** Every issue of the repository, page by page; a page unchanged since the last sync is answered 304 and read from the state. */
  private async listIssues(): Promise<{ remote: Map<number, RemoteIssue>; pages: Map<string, PageState> }> {
    const remote = new Map<number, RemoteIssue>();
    const pages = new Map<string, PageState>();
    const visited = new Set<string>();
    let url: string | undefined = this.client.resolve(`${this.issuesPath}?state=all&sort=created&direction=asc&per_page=100`).href;
    while (url && !visited.has(url)) {
      if (visited.size >= MAX_PAGES) throw new GitHubApiError(`GitHub named more than ${MAX_PAGES} pages of issues; stopped reading`, 200);
      visited.add(url);
      this.progress(`reading page ${visited.size} of the issues of ${this.repo}`);
      const cached = this.state.pages.get(url);
      const res: Awaited<ReturnType<GitHubClient['getConditional']>> = await this.client.getConditional<unknown>(url, cached?.etag);
      if (res.status === 304) {
        if (!cached) throw new GitHubApiError(`GET ${url}: 304 Not Modified to a request that named no ETag`, 304);
        // The page's issues are as they were; its Link header may now name a page added after it.
        const next: string | undefined = res.next ?? cached.next;
        pages.set(url, { ...cached, ...(next ? { next } : {}) });
        for (const [number, updatedAt, comments] of cached.issues) remote.set(number, { updatedAt, comments });
        url = next;
        continue;
      }
      if (!Array.isArray(res.body)) throw new GitHubApiError(`GET ${url}: the answer is not a list of issues`, 200);
      const entries: PageState['issues'] = [];
      for (const raw of res.body) {
        const parsed = issueSchema.safeParse(raw);
        if (!parsed.success) {
          const number = typeof (raw as { number?: unknown })?.number === 'number' ? (raw as { number: number }).number : 0;
          this.items.push({ action: 'error', number, title: '', details: [`GitHub sent an issue this sync cannot read (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}); skipped`] });
          continue;
        }
        const issue = parsed.data;
        if (issue.pull_request !== undefined) continue; // the issue list includes pull requests
        remote.set(issue.number, { updatedAt: issue.updated_at, comments: issue.comments ?? 0, issue });
        entries.push([issue.number, issue.updated_at, issue.comments ?? 0]);
      }
      if (res.etag) pages.set(url, { etag: res.etag, ...(res.next ? { next: res.next } : {}), issues: entries });
      url = res.next;
    }
    return { remote, pages };
  }

  private async syncOne(number: number, remote: RemoteIssue | undefined, dryRun: boolean): Promise<void> {
    const link = this.links.issues.get(number);
    const synced = this.state.issues.get(number);
    try {
      if (!link) {
        // A ticket deleted here after a sync stays deleted; an issue never synced becomes a ticket.
        if (remote && !synced) await this.create(await this.fullIssue(number, remote), dryRun);
        else this.unchanged++;
        return;
      }
      const local = ticketView(link.ticket);
      const notes = ticketNotes(link.text, link.ticket.format);
      const localChanged = !synced || viewHash(local, notes) !== synced.hash;
      const remoteChanged = remote !== undefined && (!synced || remote.updatedAt !== synced.updatedAt);
      if (!localChanged && !remoteChanged) {
        this.unchanged++;
        return;
      }
      if (!remote) {
        // Not listed any more (deleted, transferred, or never readable): pushing finds out which.
        await this.push(link, await this.fullIssue(number, undefined), dryRun);
        return;
      }
      const issue = await this.fullIssue(number, remote);
      const newNotes = synced ? notes.filter((n) => !synced.notes.includes(n.hash)).length : 0;
      if (remoteChanged && !localChanged) await this.pull(link, issue, dryRun);
      else if (localChanged && !remoteChanged) await this.push(link, issue, dryRun);
      else if (this.options.prefer === 'github') await this.pull(link, issue, dryRun);
      else if (this.options.prefer === 'local') await this.push(link, issue, dryRun);
      else if (sameView(local, remoteView(issue)) && newNotes === 0) {
        // Both sides made the same change (or a ticket linked before the state existed agrees with its issue).
        if (!dryRun) await this.record(link.ticket.id, issue, synced?.comments ?? []);
        this.unchanged++;
      } else this.conflict(link, issue, newNotes, !synced);
    } catch (error) {
      if (error instanceof RateLimitError) throw error;
      this.items.push({ action: 'error', number, title: link?.ticket.title ?? '', ticket: link?.ticket.id, path: link?.ticket.path, details: [(error as Error).message] });
    }
  }

  private async fullIssue(number: number, remote: RemoteIssue | undefined): Promise<GitHubIssue> {
    if (remote?.issue) return remote.issue;
    return parseIssue(await this.client.get(`${this.issuesPath}/${number}`));
  }

  private async create(issue: GitHubIssue, dryRun: boolean): Promise<void> {
    const title = issueTitle(issue);
    const state = issueState(issue);
    const milestone = this.options.milestoneAsEpic && issue.milestone ? issue.milestone : undefined;
    const details = [`new ticket from #${issue.number}${state === 'open' ? '' : ` (${state === 'closed' ? 'closed' : 'closed as not planned'})`}`, ...(milestone ? [`under the epic of milestone ${cleanLine(milestone.title, 100)}`] : [])];
    const item: SyncItem = { action: 'create', number: issue.number, title, url: issue.html_url, details };
    this.items.push(item);
    if (dryRun) return;
    const assignees = issueAssignees(issue);
    const format = this.tracker.format();
    const epicId = milestone ? await this.epicFor(milestone) : undefined;
    const link = { repo: this.repo, number: issue.number, ...(issue.html_url ? { url: issue.html_url } : {}) };
    let ticket = await this.tracker.create({
      type: 'issue',
      title,
      description: issueBody(issue),
      ...(assignees[0] ? { assignee: assignees[0] } : {}),
      tags: issueLabels(issue),
      epicId,
      fields: format === 'tools' ? { [LINK_KEY]: link, sync_status: 'synced' } : { [LINK_KEY]: link, assignees },
    });
    Object.assign(item, { ticket: ticket.id, path: ticket.path });
    const status = statusFor(ticket, state);
    if (status) ticket = await this.tracker.setStatus(ticket.id, status, `${state === 'open' ? 'open' : 'closed'} on GitHub`);
    const comments = (issue.comments ?? 0) > 0 ? await this.newComments(issue.number, []) : [];
    if (comments.length) ticket = await this.tracker.editText(ticket.id, (text) => appendComments(text, ticket.format, comments));
    await this.record(ticket.id, issue, comments.map((c) => c.id));
  }

  /** GitHub changed, this side did not: the ticket takes the issue's fields, state and new comments. */
  private async pull(link: LinkedTicket, issue: GitHubIssue, dryRun: boolean): Promise<void> {
    const ticket = link.ticket;
    const synced = this.state.issues.get(issue.number);
    const changes = fieldChanges(ticket, issue);
    const remote = remoteView(issue);
    const status = statusFor(ticket, remote.state);
    const comments = !dryRun && (issue.comments ?? 0) > 0 ? await this.newComments(issue.number, synced?.comments ?? []) : [];
    const details = [...Object.keys(changes).map((key) => `${key} from GitHub`), ...(status ? [`status ${status} (${remote.state === 'open' ? 'reopened' : 'closed'} on GitHub)`] : []), ...(comments.length ? [`${comments.length} new comment${comments.length === 1 ? '' : 's'}`] : [])];
    this.items.push({ action: 'update', number: issue.number, title: remote.title, url: issue.html_url, ticket: ticket.id, path: ticket.path, details: details.length ? details : ['GitHub details only (nothing the ticket holds)'] });
    if (dryRun) return;
    const sorted = ticket.format === 'pytools';
    if (Object.keys(changes).length || comments.length) {
      await this.tracker.editText(ticket.id, (text) => appendComments(Object.keys(changes).length ? editFrontmatter(text, changes, { sortedKeys: sorted }) : text, ticket.format, comments));
    }
    if (status) await this.tracker.setStatus(ticket.id, status, `${remote.state === 'open' ? 'reopened' : 'closed'} on GitHub`);
    await this.record(ticket.id, issue, [...(synced?.comments ?? []), ...comments.map((c) => c.id)]);
  }

  /** This side changed, GitHub did not: new notes become comments, then one PATCH carries title, text, labels and state. */
  private async push(link: LinkedTicket, issue: GitHubIssue, dryRun: boolean): Promise<void> {
    const ticket = link.ticket;
    const synced = this.state.issues.get(issue.number);
    const local = ticketView(ticket);
    const known = new Set(synced?.notes ?? []);
    const fresh = ticketNotes(link.text, ticket.format).filter((n) => !known.has(n.hash) && n.text !== '');
    const patch = issuePatch(local, issue);
    const details = [...Object.keys(patch).filter((k) => k !== 'state_reason').map((key) => (key === 'state' ? `state ${patch.state}${patch.state_reason === 'not_planned' ? ' as not planned' : ''}` : key)), ...(fresh.length ? [`${fresh.length} note${fresh.length === 1 ? '' : 's'} as comment${fresh.length === 1 ? '' : 's'}`] : [])];
    if (!details.length) {
      // Only something GitHub does not hold changed (priority, an assignee): nothing to send.
      if (!dryRun) await this.record(ticket.id, issue, synced?.comments ?? []);
      this.unchanged++;
      return;
    }
    this.items.push({ action: 'push', number: issue.number, title: local.title, url: issue.html_url, ticket: ticket.id, path: ticket.path, details });
    if (dryRun) return;
    const comments = [...(synced?.comments ?? [])];
    for (const note of fresh) {
      const posted = commentSchema.parse(await this.client.post(`${this.issuesPath}/${issue.number}/comments`, { body: note.text }));
      comments.push(posted.id);
    }
    let after = issue;
    if (Object.keys(patch).length) after = parseIssue(await this.client.patch(`${this.issuesPath}/${issue.number}`, patch));
    else after = parseIssue(await this.client.get(`${this.issuesPath}/${issue.number}`));
    await this.record(ticket.id, after, comments);
  }

  private conflict(link: LinkedTicket, issue: GitHubIssue, newNotes: number, unknownBase: boolean): void {
    const local = ticketView(link.ticket);
    const remote = remoteView(issue);
    const differ = (['title', 'description', 'state', 'tags'] as const).filter((key) => (key === 'tags' ? !sameSet(local.tags, remote.tags) : local[key] !== remote[key]));
    const details = [
      unknownBase ? 'linked to this issue but never synced here, and they differ' : 'changed here and on GitHub since the last sync',
      ...(differ.length ? [`they differ in ${differ.join(', ')}`] : []),
      ...(newNotes ? [`${newNotes} note${newNotes === 1 ? '' : 's'} not yet on GitHub`] : []),
    ];
    this.items.push({ action: 'conflict', number: issue.number, title: local.title, url: issue.html_url, ticket: link.ticket.id, path: link.ticket.path, details });
  }

  /** The comments of an issue not yet in its ticket; pages unchanged since the last sync are answered 304. */
  private async newComments(number: number, known: readonly number[]): Promise<GitHubComment[]> {
    const seen = new Set(known);
    const out: GitHubComment[] = [];
    const visited = new Set<string>();
    let url: string | undefined = this.client.resolve(`${this.issuesPath}/${number}/comments?per_page=100`).href;
    while (url && !visited.has(url)) {
      visited.add(url);
      const cached = this.state.commentPages.get(url);
      const res: Awaited<ReturnType<GitHubClient['getConditional']>> = await this.client.getConditional<unknown>(url, cached?.etag);
      if (res.status === 304) {
        url = res.next ?? cached?.next;
        continue;
      }
      if (!Array.isArray(res.body)) throw new GitHubApiError(`GET ${url}: the answer is not a list of comments`, 200);
      for (const raw of res.body) {
        const comment = commentSchema.safeParse(raw);
        if (comment.success && !seen.has(comment.data.id)) out.push(comment.data);
      }
      if (res.etag) this.state.commentPages.set(url, { etag: res.etag, ...(res.next ? { next: res.next } : {}) });
      url = res.next;
    }
    return out;
  }

  private async epicFor(milestone: NonNullable<GitHubIssue['milestone']>): Promise<string> {
    const known = this.state.milestones.get(milestone.number) ?? this.links.milestones.get(milestone.number);
    if (known && this.tracker.index.get(known)?.type === 'epic') return known;
    const link = { repo: this.repo, milestone: milestone.number, ...(milestone.html_url ? { url: milestone.html_url } : {}) };
    const epic = await this.tracker.create({ type: 'epic', title: cleanLine(milestone.title, 256) || `Milestone ${milestone.number}`, fields: { [LINK_KEY]: link } });
    this.state.milestones.set(milestone.number, epic.id);
    this.links.milestones.set(milestone.number, epic.id);
    return epic.id;
  }

  /** Remembers that ticket and issue agree now: the issue's `updated_at`, the ticket's hash and notes. */
  private async record(ticketId: string, issue: GitHubIssue, comments: readonly number[]): Promise<void> {
    const ticket = this.tracker.require(ticketId);
    const notes = ticketNotes(await readFile(ticket.path, 'utf8'), ticket.format);
    this.state.issues.set(issue.number, { ticket: ticket.id, updatedAt: issue.updated_at, hash: viewHash(ticketView(ticket), notes), notes: notes.map((n) => n.hash), comments: [...new Set(comments)] });
  }
}

function parseIssue(raw: unknown): GitHubIssue {
  const parsed = issueSchema.safeParse(raw);
  if (!parsed.success) throw new GitHubApiError(`GitHub sent an issue this sync cannot read (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`, 200);
  return parsed.data;
}

export function remoteView(issue: GitHubIssue): SyncView {
  return { title: issueTitle(issue), description: issueBody(issue), state: issueState(issue), tags: issueLabels(issue) };
}

/** The frontmatter changes that make a ticket match its issue (the state aside: see `statusFor`). */
function fieldChanges(ticket: Ticket, issue: GitHubIssue): FieldChanges {
  const remote = remoteView(issue);
  const changes: FieldChanges = {};
  if (ticket.title !== remote.title) changes.title = remote.title;
  if (ticket.description.trim() !== remote.description) changes.description = remote.description;
  if (!sameSet(ticket.tags, remote.tags)) changes.tags = remote.tags;
  const assignees = issueAssignees(issue);
  if (ticket.format === 'tools' && assignees[0] && ticket.assignees[0] !== assignees[0]) changes.assignee = assignees[0];
  if (ticket.format === 'pytools' && !sameSet(ticket.assignees, assignees)) changes.assignees = assignees;
  return changes;
}

/** The status a ticket takes for its issue's state, in its format's words; undefined when it already agrees. */
export function statusFor(ticket: Ticket, state: IssueState): string | undefined {
  if (ticketState(ticket) === state) return undefined;
  if (state === 'open') return ticket.format === 'tools' || ticket.type === 'epic' ? 'planning' : 'open';
  if (state === 'closed') return ticket.format === 'tools' && ticket.state !== undefined ? 'done' : 'completed';
  return ticket.format === 'tools' ? 'won_t_do' : 'cancelled';
}

/** The PATCH body that makes an issue match its ticket: only the fields that differ. */
function issuePatch(local: SyncView, issue: GitHubIssue): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  if (local.title !== issueTitle(issue)) patch.title = local.title;
  if (local.description !== issueBody(issue)) patch.body = local.description;
  if (!sameSet(local.tags, issueLabels(issue))) patch.labels = local.tags;
  if (local.state !== issueState(issue)) {
    patch.state = local.state === 'open' ? 'open' : 'closed';
    patch.state_reason = local.state === 'open' ? 'reopened' : local.state === 'closed' ? 'completed' : 'not_planned';
  }
  return patch;
}

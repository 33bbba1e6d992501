// What the sync compares between a ticket and its issue: title, description, open/closed, tags and the notes of
// the body. A hash of this view, taken right after each sync, tells whether the ticket changed since.

import { createHash } from 'node:crypto';
import { findFrontmatter } from '../tickets/frontmatter';
import type { Ticket, TicketFormat } from '../tickets/model';
import { appendSection } from '../tickets/writer';
import { cleanLogin, cleanText, type GitHubComment, type IssueState } from './githubIssue';

export interface SyncView {
  title: string;
  description: string;
  state: IssueState;
  tags: string[];
}

/** A note of the body: a tools `## Note: …` section or a pytools `### Comment by …` entry. */
export interface TicketNote {
  /** Hash of heading and text: how the sync knows which notes GitHub has already. */
  hash: string;
  text: string;
}

export function ticketState(ticket: Ticket): IssueState {
  if (ticket.normalizedStatus === 'done') return 'closed';
  if (ticket.normalizedStatus === 'cancelled' || ticket.normalizedStatus === 'archived') return 'not_planned';
  return 'open';
}

export function ticketView(ticket: Ticket): SyncView {
  // GitHub keeps a label once: a tag written twice here is one label, not a difference to send on every sync.
  return { title: ticket.title, description: ticket.description.trim(), state: ticketState(ticket), tags: [...new Set(ticket.tags)] };
}

/** Whether two views agree on everything the sync carries over (tag order aside). */
export function sameView(a: SyncView, b: SyncView): boolean {
  return a.title === b.title && a.description === b.description && a.state === b.state && sameSet(a.tags, b.tags);
}

export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((x) => set.has(x));
}

/** The hash stored after a sync: the view and every note the ticket holds. */
export function viewHash(view: SyncView, notes: readonly TicketNote[]): string {
  const canonical = JSON.stringify([view.title, view.description, view.state, [...view.tags].sort(), notes.map((n) => n.hash)]);
  return createHash('sha256').update(canonical).digest('hex');
}

const NOTE_HEADING: Record<TicketFormat, RegExp> = { tools: /^## Note:/, pytools: /^### Comment by / };
// A note ends at the next heading of its level or above.
const NOTE_END: Record<TicketFormat, RegExp> = { tools: /^#{1,2} /, pytools: /^#{1,3} / };

/** The notes in a ticket file's body, in order. */
export function ticketNotes(text: string, format: TicketFormat): TicketNote[] {
  const block = findFrontmatter(text);
  const body = block.kind === 'found' ? text.slice(block.bodyStart) : text;
  const lines = body.replace(/\r\n/g, '\n').split('\n');
  const notes: TicketNote[] = [];
  let heading: string | undefined;
  let content: string[] = [];
  const flush = () => {
    if (heading !== undefined) notes.push({ hash: createHash('sha256').update(`${heading}\n${content.join('\n').trim()}`).digest('hex').slice(0, 32), text: content.join('\n').trim() });
  };
  for (const line of lines) {
    if (NOTE_HEADING[format].test(line)) {
      flush();
      heading = line.trimEnd();
      content = [];
    } else if (heading !== undefined && NOTE_END[format].test(line)) {
      flush();
      heading = undefined;
    } else if (heading !== undefined) content.push(line);
  }
  flush();
  return notes;
}

/**
 * Appends GitHub comments as notes: quoted, so a comment's own headings or `---` lines cannot start a note or
 * section of their own, in the form the ticket's format writes notes.
 */
export function appendComments(text: string, format: TicketFormat, comments: readonly GitHubComment[]): string {
  let out = text;
  for (const comment of comments) {
    const author = cleanLogin(comment.user?.login);
    const quoted = quote(cleanText(comment.body ?? '').trim() || '(empty comment)');
    if (format === 'tools') out = appendSection(out, `## Note: ${comment.created_at}\n@${author} on GitHub:\n\n${quoted}`);
    else {
      const entry = `### Comment by @${author} - ${comment.created_at.replace('T', ' ').slice(0, 19)}\n${quoted}`;
      out = appendSection(out, /^## Comments[ \t]*\r?$/m.test(out) ? entry : `## Comments\n\n${entry}`);
    }
  }
  return out;
}

function quote(text: string): string {
  return text
    .split('\n')
    .map((line) => (line ? `> ${line}` : '>'))
    .join('\n');
}

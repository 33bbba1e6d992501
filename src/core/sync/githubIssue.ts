// The parts of GitHub's issue and comment objects the sync reads (docs.github.com/en/rest/issues), validated
// leniently: issue text is anyone's input, so every string is cleaned and bounded before it reaches a ticket file.

import { z } from 'zod';

/** GitHub's own limit for an issue or comment body; a longer one cannot be real and is cut. */
export const MAX_BODY_CHARS = 65_536;
const MAX_TITLE_CHARS = 256;
const MAX_LABEL_CHARS = 100;

const login = z.looseObject({ login: z.string() });

export const issueSchema = z.looseObject({
  number: z.number().int().positive(),
  title: z.string(),
  body: z.string().nullish(),
  state: z.string(),
  state_reason: z.string().nullish(),
  html_url: z.string().optional(),
  updated_at: z.string(),
  comments: z.number().int().nonnegative().optional(),
  labels: z.array(z.union([z.string(), z.looseObject({ name: z.string().nullish() })])).optional(),
  assignees: z.array(login).nullish(),
  milestone: z.looseObject({ number: z.number().int(), title: z.string(), html_url: z.string().optional() }).nullish(),
  pull_request: z.unknown().optional(),
});
export type GitHubIssue = z.infer<typeof issueSchema>;

export const commentSchema = z.looseObject({
  id: z.number().int(),
  body: z.string().nullish(),
  user: login.nullish(),
  created_at: z.string(),
});
export type GitHubComment = z.infer<typeof commentSchema>;

/** An issue's state as the sync compares it: GitHub's open/closed, with a closed issue's reason. */
export type IssueState = 'open' | 'closed' | 'not_planned';

export function issueState(issue: GitHubIssue): IssueState {
  if (issue.state !== 'closed') return 'open';
  return issue.state_reason === 'not_planned' ? 'not_planned' : 'closed';
}

/** Multi-line text with NUL and other control characters (except tab and newline) removed, cut to `max`. */
export function cleanText(text: string, max = MAX_BODY_CHARS): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g, '');
  return cleaned.length > max ? `${cleaned.slice(0, max)}\n\n(cut at ${max} characters)` : cleaned;
}

/** One line: whitespace runs to one space, control characters gone. */
export function cleanLine(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g, ' ').replace(/\s+/g, ' ').trim().slice(0, max);
}

export function issueTitle(issue: GitHubIssue): string {
  return cleanLine(issue.title, MAX_TITLE_CHARS) || `GitHub issue #${issue.number}`;
}

export function issueBody(issue: GitHubIssue): string {
  return cleanText(issue.body ?? '').trim();
}

/** Label names, cleaned, without duplicates, in GitHub's order. */
export function issueLabels(issue: GitHubIssue): string[] {
  const names = (issue.labels ?? []).map((l) => cleanLine(typeof l === 'string' ? l : (l.name ?? ''), MAX_LABEL_CHARS)).filter(Boolean);
  return [...new Set(names)];
}

/** A login as it may appear in a heading: GitHub's own characters only (bots end in `[bot]`). */
export function cleanLogin(name: string | undefined): string {
  return (name ?? '').replace(/[^A-Za-z0-9_.[\]-]/g, '').slice(0, 64) || 'ghost';
}

export function issueAssignees(issue: GitHubIssue): string[] {
  return (issue.assignees ?? []).map((a) => cleanLogin(a.login));
}

// The tickets already linked to a repository's issues and milestones, found by their `github:` frontmatter, so that
// a lost or deleted sync state never duplicates a ticket.

import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { findFrontmatter } from '../tickets/frontmatter';
import type { Ticket } from '../tickets/model';
import type { TicketTracker } from '../tickets/tracker';

/** The frontmatter key linking a ticket to its issue: `github: {repo, number, url}` (an epic: `milestone` for `number`). */
export const LINK_KEY = 'github';

export interface LinkedTicket {
  ticket: Ticket;
  text: string;
}

export interface Links {
  issues: Map<number, LinkedTicket>;
  milestones: Map<number, string>;
}

const READ_BATCH = 64;

export async function findLinks(tracker: TicketTracker, repo: string): Promise<Links> {
  const links: Links = { issues: new Map(), milestones: new Map() };
  const tickets = tracker.index.tickets();
  for (let i = 0; i < tickets.length; i += READ_BATCH) {
    const batch = tickets.slice(i, i + READ_BATCH);
    const texts = await Promise.all(batch.map((t) => readFile(t.path, 'utf8').catch(() => '')));
    batch.forEach((ticket, j) => {
      const text = texts[j]!;
      if (!/^github:/m.test(text)) return;
      const link = linkOf(text);
      if (!link || link.repo.toLowerCase() !== repo.toLowerCase()) return;
      if (ticket.type === 'epic' && link.milestone !== undefined) links.milestones.set(link.milestone, ticket.id);
      else if (link.number !== undefined && !links.issues.has(link.number)) links.issues.set(link.number, { ticket, text });
    });
  }
  return links;
}

interface Link {
  repo: string;
  number?: number;
  milestone?: number;
}

export function linkOf(text: string): Link | undefined {
  const block = findFrontmatter(text);
  if (block.kind !== 'found') return undefined;
  let data: unknown;
  try {
    data = parse(text.slice(block.yamlStart, block.yamlEnd), { maxAliasCount: 50 });
  } catch {
    return undefined;
  }
  const link = data && typeof data === 'object' ? (data as Record<string, unknown>)[LINK_KEY] : undefined;
  if (!link || typeof link !== 'object') return undefined;
  const { repo, number, milestone } = link as Record<string, unknown>;
  if (typeof repo !== 'string') return undefined;
  return { repo, number: wholeNumber(number), milestone: wholeNumber(milestone) };
}

function wholeNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

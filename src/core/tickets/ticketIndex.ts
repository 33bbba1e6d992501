// The in-memory index of one ticket root: built once, then kept current file by file from watcher events.

import type { FileDiagnostic } from '../config/diagnostics';
import { isOpen, NORMALIZED_STATUSES, type NormalizedStatus, type ParsedFile, type Ticket, type TicketType, type UnparsedDocument } from './model';
import { parseTicketFile } from './reader';
import { readTicketFile, scanTicketTree } from './scan';
import { emptyRecord } from '../common/ownKeys';
import { compareIds } from './ticketId';

export interface TicketQuery {
  type?: TicketType;
  /** A raw status ("pending") or a normalised one ("open"). */
  status?: string;
  priority?: string;
  assignee?: string;
  tag?: string;
  /** Tickets of this epic, directly or through their issue. */
  epic?: string;
  /** Case-insensitive match on ID, title and description. */
  text?: string;
}

export interface TicketCounts {
  total: number;
  open: number;
  byStatus: Record<string, number>;
  byNormalizedStatus: Record<NormalizedStatus, number>;
  byType: Record<string, number>;
  unparsed: number;
  malformed: number;
  duplicateIds: number;
}

export interface DuplicateId {
  id: string;
  paths: string[];
}

export class TicketIndex {
  private readonly files = new Map<string, ParsedFile>();
  /** Paths of the tickets of each ID: more than one is a duplicate. */
  private readonly claims = new Map<string, Set<string>>();
  /** IDs that other files are named after (notes without frontmatter, malformed tickets): never reused for new tickets. */
  private readonly namedIds = new Map<string, Set<string>>();
  private readonly childPaths = new Map<string, Set<string>>();
  /** Tickets whose parent chain leads back to them, by ID, with the cycle they are in; rebuilt after changes. */
  private cycles: Map<string, string[]> | undefined;
  // Kept current on every change, so that badges never rescan the whole index.
  private readonly live: TicketCounts = emptyCounts();

  constructor(readonly root: string) {}

  /** Reads the whole tree (cold start). */
  static async load(root: string): Promise<TicketIndex> {
    return TicketIndex.fromFiles(root, await scanTicketTree(root));
  }

  /** An index of files already read. */
  static fromFiles(root: string, files: readonly ParsedFile[]): TicketIndex {
    const index = new TicketIndex(root);
    for (const parsed of files) index.put(parsed);
    return index;
  }

  /** Re-reads one file after a change, creation or deletion; returns what it now holds. */
  refreshFile(path: string): ParsedFile | undefined {
    const parsed = readTicketFile(path, this.root);
    if (parsed) this.put(parsed);
    else this.remove(path);
    return parsed;
  }

  /** Replaces one file's entry from text already in memory (an editor buffer, a write we just made). */
  setFileText(path: string, text: string): ParsedFile {
    const parsed = parseTicketFile(text, path, this.root);
    this.put(parsed);
    return parsed;
  }

  remove(path: string): void {
    const old = this.files.get(path);
    if (!old) return;
    this.files.delete(path);
    this.unlink(old);
  }

  private put(parsed: ParsedFile): void {
    const path = pathOf(parsed);
    const old = this.files.get(path);
    if (old) this.unlink(old);
    this.files.set(path, parsed);
    this.cycles = undefined;
    const id = claimedIdOf(parsed);
    if (id && parsed.kind === 'ticket' && addTo(this.claims, id, path) === 2) this.live.duplicateIds++;
    if (id && parsed.kind !== 'ticket') addTo(this.namedIds, id, path);
    if (parsed.kind === 'ticket' && parsed.ticket.parentId) addTo(this.childPaths, parsed.ticket.parentId, path);
    count(this.live, parsed, 1);
  }

  private unlink(parsed: ParsedFile): void {
    const path = pathOf(parsed);
    this.cycles = undefined;
    const id = claimedIdOf(parsed);
    if (id && parsed.kind === 'ticket' && removeFrom(this.claims, id, path) === 1) this.live.duplicateIds--;
    if (id && parsed.kind !== 'ticket') removeFrom(this.namedIds, id, path);
    if (parsed.kind === 'ticket' && parsed.ticket.parentId) removeFrom(this.childPaths, parsed.ticket.parentId, path);
    count(this.live, parsed, -1);
  }

  /**
   * The parent the tree nests a ticket under: none for a ticket that names itself, and none for the lowest ID of
   * a parent cycle, which stands at the top so that the cycle shows once and never nests a ticket inside itself.
   */
  treeParent(ticket: Ticket): string | undefined {
    if (!ticket.parentId || ticket.parentId === ticket.id) return undefined;
    const cycle = this.parentCycles().get(ticket.id);
    return cycle && cycle[0] === ticket.id ? undefined : ticket.parentId;
  }

  /** Every parent cycle (A → B → A), by member ID, each listed from its lowest ID. */
  parentCycles(): Map<string, string[]> {
    if (this.cycles) return this.cycles;
    const cycles = new Map<string, string[]>();
    for (const ticket of this.tickets()) {
      if (cycles.has(ticket.id) || !ticket.parentId || ticket.parentId === ticket.id) continue;
      const chain = [ticket.id];
      const seen = new Set(chain);
      for (let next = this.get(ticket.parentId); next && next.parentId && next.parentId !== next.id; next = this.get(next.parentId)) {
        if (next.id === ticket.id) {
          const members = [...chain].sort(compareIds);
          for (const member of members) cycles.set(member, members);
          break;
        }
        if (seen.has(next.id)) break; // a cycle further up that does not include this ticket
        seen.add(next.id);
        chain.push(next.id);
      }
    }
    return (this.cycles = cycles);
  }

  tickets(): Ticket[] {
    const out: Ticket[] = [];
    for (const parsed of this.files.values()) if (parsed.kind === 'ticket') out.push(parsed.ticket);
    return out;
  }

  /** The ticket with this ID; with duplicates, the first by path. */
  get(id: string): Ticket | undefined {
    const paths = this.claims.get(id);
    if (!paths) return undefined;
    let best: Ticket | undefined;
    for (const path of paths) {
      const parsed = this.files.get(path);
      if (parsed?.kind === 'ticket' && (!best || parsed.ticket.path < best.path)) best = parsed.ticket;
    }
    return best;
  }

  getByPath(path: string): ParsedFile | undefined {
    return this.files.get(path);
  }

  /** Children: tickets naming this one as parent, plus tickets the parent lists that do not name a parent. */
  children(id: string): Ticket[] {
    const out = new Map<string, Ticket>();
    for (const path of this.childPaths.get(id) ?? []) {
      const parsed = this.files.get(path);
      if (parsed?.kind === 'ticket' && this.treeParent(parsed.ticket) === id) out.set(parsed.ticket.id, parsed.ticket);
    }
    for (const childId of this.get(id)?.childIds ?? []) {
      const child = this.get(childId);
      if (child && childId !== id && !child.parentId && !out.has(childId)) out.set(childId, child);
    }
    return [...out.values()].sort(byId);
  }

  /** Top-level tickets: those with no parent in this index (or only themselves, or a cycle they head). */
  roots(): Ticket[] {
    const listed = new Set<string>();
    for (const t of this.tickets()) for (const c of t.childIds) if (c !== t.id) listed.add(c);
    return this.tickets()
      .filter((t) => {
        const parent = this.treeParent(t);
        return parent ? !this.get(parent) : !(t.parentId === undefined && listed.has(t.id));
      })
      .sort(byId);
  }

  query(q: TicketQuery): Ticket[] {
    const text = q.text?.toLowerCase();
    const status = q.status?.toLowerCase();
    const statusIsGroup = status !== undefined && (NORMALIZED_STATUSES as readonly string[]).includes(status);
    return this.tickets()
      .filter((t) => {
        if (q.type && t.type !== q.type) return false;
        if (status && (statusIsGroup ? t.normalizedStatus !== status : (t.state ?? t.status).toLowerCase() !== status && t.status.toLowerCase() !== status)) return false;
        if (q.priority && t.priority !== q.priority) return false;
        if (q.assignee && !t.assignees.includes(q.assignee)) return false;
        if (q.tag && !t.tags.includes(q.tag)) return false;
        if (q.epic && t.id !== q.epic && t.epicId !== q.epic && (t.issueId ? this.get(t.issueId)?.epicId !== q.epic : true)) return false;
        if (text && !`${t.id}\n${t.title}\n${t.description}`.toLowerCase().includes(text)) return false;
        return true;
      })
      .sort(byId);
  }

  unparsed(): UnparsedDocument[] {
    const out: UnparsedDocument[] = [];
    for (const parsed of this.files.values()) if (parsed.kind === 'unparsed') out.push(parsed.document);
    return out;
  }

  malformed(): Extract<ParsedFile, { kind: 'malformed' }>[] {
    return [...this.files.values()].filter((p): p is Extract<ParsedFile, { kind: 'malformed' }> => p.kind === 'malformed');
  }

  duplicates(): DuplicateId[] {
    const out: DuplicateId[] = [];
    for (const [id, paths] of this.claims) if (paths.size > 1) out.push({ id, paths: [...paths].sort() });
    return out.sort((a, b) => compareIds(a.id, b.id));
  }

  /** Every problem: each file's own, one warning per file of a duplicated ID, and one per ticket of a parent cycle. */
  diagnostics(): FileDiagnostic[] {
    const out: FileDiagnostic[] = [];
    for (const parsed of this.files.values()) out.push(...parsed.diagnostics);
    for (const [id, members] of this.parentCycles()) {
      const ticket = this.get(id)!;
      const loop = [...members.slice(members.indexOf(id)), ...members.slice(0, members.indexOf(id)), id].join(' → ');
      out.push({ file: ticket.path, line: ticket.parentLine, key: ticket.parentKey, message: `parent cycle: ${loop}; ${members[0]} is shown at the top level`, severity: 'warning' });
    }
    for (const dup of this.duplicates()) {
      for (const path of dup.paths) {
        const others = dup.paths.filter((p) => p !== path).map((p) => p.slice(this.root.length + 1));
        out.push({ file: path, line: 1, message: `duplicate ID ${dup.id}: also claimed by ${others.join(', ')}`, severity: 'warning' });
      }
    }
    return out;
  }

  /** A snapshot of the live counts. */
  counts(): TicketCounts {
    const c = this.live;
    return { ...c, byStatus: nonZero(c.byStatus), byNormalizedStatus: { ...c.byNormalizedStatus }, byType: nonZero(c.byType) };
  }

  /** The highest number used by any file for this type's prefix, so a new ID never collides. */
  highestNumber(prefix: string): number {
    let max = 0;
    for (const id of [...this.claims.keys(), ...this.namedIds.keys()]) {
      if (!id.startsWith(`${prefix}-`)) continue;
      const n = Number(id.slice(prefix.length + 1));
      if (Number.isInteger(n) && n > max) max = n;
    }
    return max;
  }

  /** The format most tickets use, so that new tickets match the tree they land in. */
  dominantFormat(): Ticket['format'] | undefined {
    let tools = 0;
    let pytools = 0;
    for (const t of this.tickets()) {
      if (t.format === 'tools') tools++;
      else pytools++;
    }
    if (tools === 0 && pytools === 0) return undefined;
    return pytools > tools ? 'pytools' : 'tools';
  }
}

function pathOf(parsed: ParsedFile): string {
  return parsed.kind === 'ticket' ? parsed.ticket.path : parsed.kind === 'unparsed' ? parsed.document.path : parsed.path;
}

/** The ID a file stands for. Comments are numbered per issue, so their IDs repeat by design and claim nothing. */
function claimedIdOf(parsed: ParsedFile): string | undefined {
  if (parsed.kind === 'ticket') return parsed.ticket.type === 'comment' ? undefined : parsed.ticket.id;
  return parsed.kind === 'unparsed' ? parsed.document.claimedId : parsed.claimedId;
}

/** Adds and returns the set's new size. */
function addTo(map: Map<string, Set<string>>, key: string, value: string): number {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
  return set.size;
}

/** Removes and returns the set's new size. */
function removeFrom(map: Map<string, Set<string>>, key: string, value: string): number {
  const set = map.get(key);
  if (!set) return 0;
  set.delete(value);
  if (set.size === 0) map.delete(key);
  return set.size;
}

function emptyCounts(): TicketCounts {
  return {
    total: 0,
    open: 0,
    byStatus: emptyRecord(),
    byNormalizedStatus: Object.fromEntries(NORMALIZED_STATUSES.map((s) => [s, 0])) as Record<NormalizedStatus, number>,
    byType: emptyRecord(),
    unparsed: 0,
    malformed: 0,
    duplicateIds: 0,
  };
}

function count(counts: TicketCounts, parsed: ParsedFile, delta: 1 | -1): void {
  if (parsed.kind === 'unparsed') counts.unparsed += delta;
  else if (parsed.kind === 'malformed') counts.malformed += delta;
  else {
    const t = parsed.ticket;
    counts.total += delta;
    if (isOpen(t.normalizedStatus) && t.type !== 'comment') counts.open += delta;
    const status = t.state ?? t.status;
    counts.byStatus[status] = (counts.byStatus[status] ?? 0) + delta;
    counts.byNormalizedStatus[t.normalizedStatus] += delta;
    counts.byType[t.type] = (counts.byType[t.type] ?? 0) + delta;
  }
}

function nonZero(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).filter(([, n]) => n !== 0));
}

function byId(a: Ticket, b: Ticket): number {
  return compareIds(a.id, b.id);
}

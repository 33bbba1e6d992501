import * as vscode from 'vscode';
import type { Ticket } from '../../core/tickets/model';
import type { TicketCounts } from '../../core/tickets/ticketIndex';
import type { TicketTracker } from '../../core/tickets/tracker';
import { publishDiagnostics } from '../common/diagnostics';
import type { FolderSession, FolderSessions } from '../common/folderSession';
import { Disposable } from '../common/lifecycle';

export interface FolderTickets {
  folder: vscode.WorkspaceFolder;
  tracker: TicketTracker;
}

/** A folder's tickets: the root in use first, then the other folders that hold tickets when it shows them all. */
export interface FolderTicketRoots {
  primary: FolderTickets;
  others: FolderTickets[];
}

const COUNT_KEYS = ['total', 'open', 'unparsed', 'malformed', 'duplicateIds'] as const satisfies readonly (keyof TicketCounts)[];

// Watcher events arrive in bursts (a git checkout, a save-all): apply them together.
const REFRESH_DELAY_MS = 100;

/**
 * The ticket trackers of the workspace folders (each owned by its folder's session and opened on first use),
 * kept current by a file watcher on the ticket root feeding the index's incremental update. Malformed files
 * go to the Problems panel.
 */
export class TicketStore extends Disposable {
  private readonly attached = new WeakSet<TicketTracker>();
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;
  private readonly problems = this._register(vscode.languages.createDiagnosticCollection('claudePm.tickets'));
  private readonly pending = new Map<FolderTickets, Set<string>>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly sessions: FolderSessions) {
    super();
    this._register(sessions.onDidChange(() => this.changed.fire()));
    this._register({ dispose: () => clearTimeout(this.timer) });
  }

  folders(): readonly vscode.WorkspaceFolder[] {
    return this.sessions.folders();
  }

  /** The folder's tracker, opened (and indexed) on first use. */
  async get(folder: vscode.WorkspaceFolder): Promise<FolderTickets> {
    const session = await this.sessions.get(folder);
    const tracker = await session.tickets();
    const entry = { folder, tracker };
    if (!this.attached.has(tracker)) {
      this.attached.add(tracker);
      session.logger.info(`tickets: ${tracker.index.counts().total} tickets in ${tracker.location.root}`);
      for (const d of tracker.location.diagnostics) session.logger.warn(`tickets: ${d.file}: ${d.message}`);
      this.watch(session, entry);
      this.publishProblems(entry);
      this.changed.fire();
    }
    return entry;
  }

  /** The folder's primary tracker and, when the folder shows every ticket root, the others. */
  async roots(folder: vscode.WorkspaceFolder): Promise<FolderTicketRoots> {
    const primary = await this.get(folder);
    const session = await this.sessions.get(folder);
    const others = (await session.otherTicketRoots()).map((tracker) => ({ folder, tracker }));
    for (const entry of others) {
      if (this.attached.has(entry.tracker)) continue;
      this.attached.add(entry.tracker);
      this.watchTickets(session, entry);
      this.publishProblems(entry);
    }
    return { primary, others };
  }

  /** Every folder's tracker, loading those not loaded yet. */
  async all(): Promise<FolderTickets[]> {
    const results = await Promise.allSettled(this.folders().map((f) => this.get(f)));
    return results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  }

  /** Trackers already in memory: what hovers and badges may use without any I/O. */
  inMemory(): FolderTickets[] {
    return this.sessions.loaded().flatMap((s) => {
      const tracker = s.peekTickets();
      return tracker ? [{ folder: s.folder, tracker }] : [];
    });
  }

  /** A ticket by ID from memory; the folder of `uri` first, when given. */
  find(id: string, uri?: vscode.Uri): { ticket: Ticket; entry: FolderTickets } | undefined {
    const own = uri ? vscode.workspace.getWorkspaceFolder(uri) : undefined;
    const entries = this.inMemory().sort((a, b) => Number(b.folder === own) - Number(a.folder === own));
    for (const entry of entries) {
      const ticket = entry.tracker.index.get(id);
      if (ticket) return { ticket, entry };
    }
    return undefined;
  }

  /** Sum of the counts of the trackers in memory. */
  counts(): Record<string, number> {
    const out: Record<string, number> = { total: 0, open: 0, unparsed: 0, malformed: 0, duplicateIds: 0 };
    for (const { tracker } of this.inMemory()) {
      const c = tracker.index.counts();
      for (const key of COUNT_KEYS) out[key] += c[key];
      for (const [status, n] of Object.entries(c.byNormalizedStatus)) out[`status.${status}`] = (out[`status.${status}`] ?? 0) + n;
      for (const [type, n] of Object.entries(c.byType)) out[`type.${type}`] = (out[`type.${type}`] ?? 0) + n;
      for (const [status, n] of Object.entries(c.byStatus)) out[`raw.${status}`] = (out[`raw.${status}`] ?? 0) + n;
    }
    return out;
  }

  /** Forgets every tracker (their sessions are rebuilt); they reload on next use. */
  reload(): void {
    this.problems.clear();
    this.sessions.invalidate();
  }

  /** Tells views that a tracker changed after a write made through it. */
  notifyChanged(entry: FolderTickets): void {
    this.publishProblems(entry);
    this.changed.fire();
  }

  private watch(session: FolderSession, entry: FolderTickets): void {
    this.watchTickets(session, entry);
    // The tracker's config decides the root: when it appears, changes or goes, start the folder over.
    const config = session.own(vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(entry.folder, '{.ai-trackdown/config.yaml,.aitrackdown.json}')));
    const restart = () => this.sessions.invalidate(entry.folder);
    session.own(config.onDidChange(restart));
    session.own(config.onDidCreate(restart));
    session.own(config.onDidDelete(restart));
  }

  private watchTickets(session: FolderSession, entry: FolderTickets): void {
    const tickets = session.own(vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(entry.tracker.location.root), '**/*.md')));
    const queue = (uri: vscode.Uri) => this.queue(entry, uri.fsPath);
    session.own(tickets.onDidChange(queue));
    session.own(tickets.onDidCreate(queue));
    session.own(tickets.onDidDelete(queue));
  }

  private queue(entry: FolderTickets, path: string): void {
    let paths = this.pending.get(entry);
    if (!paths) this.pending.set(entry, (paths = new Set()));
    paths.add(path);
    this.timer ??= setTimeout(() => this.flush(), REFRESH_DELAY_MS);
  }

  private flush(): void {
    this.timer = undefined;
    for (const [entry, paths] of this.pending) {
      for (const path of paths) entry.tracker.index.refreshFile(path);
      this.publishProblems(entry);
    }
    this.pending.clear();
    this.changed.fire();
  }

  private publishProblems(entry: FolderTickets): void {
    publishDiagnostics(this.problems, entry.tracker.index.diagnostics(), 'Claude PM tickets', entry.tracker.location.root);
  }
}

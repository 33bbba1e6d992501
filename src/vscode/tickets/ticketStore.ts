import * as vscode from 'vscode';
import type { Logger } from '../../core/common/logger';
import type { FileDiagnostic } from '../../core/config/diagnostics';
import type { Ticket } from '../../core/tickets/model';
import type { TicketCounts } from '../../core/tickets/ticketIndex';
import { TicketTracker } from '../../core/tickets/tracker';

export interface FolderTickets {
  folder: vscode.WorkspaceFolder;
  tracker: TicketTracker;
}

const COUNT_KEYS = ['total', 'open', 'unparsed', 'malformed', 'duplicateIds'] as const satisfies readonly (keyof TicketCounts)[];

// Watcher events arrive in bursts (a git checkout, a save-all): apply them together.
const REFRESH_DELAY_MS = 100;

/**
 * The ticket trackers of the workspace folders, each opened on first use and then kept current by a file
 * watcher on its root feeding the index's incremental update. Malformed files go to the Problems panel.
 */
export class TicketStore implements vscode.Disposable {
  private readonly trackers = new Map<string, Promise<FolderTickets>>();
  private readonly loaded = new Map<string, FolderTickets>();
  private readonly watchers = new Map<string, vscode.Disposable[]>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly problems = vscode.languages.createDiagnosticCollection('claudePm.tickets');
  private readonly pending = new Map<string, Set<string>>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly disposables: vscode.Disposable[] = [this.changed, this.problems];

  constructor(private readonly logger: Logger) {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('claudePm.tickets.root') && this.reload()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.reload()),
    );
  }

  folders(): readonly vscode.WorkspaceFolder[] {
    return vscode.workspace.workspaceFolders ?? [];
  }

  /** The folder's tracker, opened (and indexed) on first use. */
  get(folder: vscode.WorkspaceFolder): Promise<FolderTickets> {
    const key = folder.uri.toString();
    let entry = this.trackers.get(key);
    if (!entry) {
      entry = this.open(folder);
      this.trackers.set(key, entry);
      entry.catch(() => this.trackers.delete(key));
    }
    return entry;
  }

  /** Every folder's tracker, loading those not loaded yet. */
  async all(): Promise<FolderTickets[]> {
    const results = await Promise.allSettled(this.folders().map((f) => this.get(f)));
    return results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  }

  /** Trackers already in memory: what hovers and badges may use without any I/O. */
  inMemory(): FolderTickets[] {
    return [...this.loaded.values()];
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

  /** Forgets every tracker; they reload on next use. */
  reload(): void {
    for (const list of this.watchers.values()) for (const d of list) d.dispose();
    this.watchers.clear();
    this.trackers.clear();
    this.loaded.clear();
    this.problems.clear();
    this.changed.fire();
  }

  /** Tells views that a tracker changed after a write made through it. */
  notifyChanged(entry: FolderTickets): void {
    this.publishProblems(entry);
    this.changed.fire();
  }

  private async open(folder: vscode.WorkspaceFolder): Promise<FolderTickets> {
    const setting = vscode.workspace.getConfiguration('claudePm.tickets', folder.uri).get<string>('root', '');
    const started = performance.now();
    const tracker = await TicketTracker.open(folder.uri.fsPath, { root: setting || undefined, env: process.env, actor: process.env.USER || process.env.USERNAME || 'vscode' });
    const entry: FolderTickets = { folder, tracker };
    this.logger.info(`tickets: ${tracker.index.counts().total} tickets in ${tracker.location.root} (${(performance.now() - started).toFixed(0)} ms)`);
    for (const d of tracker.location.diagnostics) this.logger.warn(`tickets: ${d.file}: ${d.message}`);
    this.loaded.set(folder.uri.toString(), entry);
    this.watch(entry);
    this.publishProblems(entry);
    this.changed.fire();
    return entry;
  }

  private watch(entry: FolderTickets): void {
    const { tracker, folder } = entry;
    const key = folder.uri.toString();
    const tickets = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(tracker.location.root), '**/*.md'));
    const queue = (uri: vscode.Uri) => this.queue(key, uri.fsPath);
    // The config decides the root: when it appears, changes or goes, start over.
    const config = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '{.ai-trackdown/config.yaml,.aitrackdown.json}'));
    const restart = () => this.reload();
    this.watchers.set(key, [tickets, tickets.onDidChange(queue), tickets.onDidCreate(queue), tickets.onDidDelete(queue), config, config.onDidChange(restart), config.onDidCreate(restart), config.onDidDelete(restart)]);
  }

  private queue(key: string, path: string): void {
    let paths = this.pending.get(key);
    if (!paths) this.pending.set(key, (paths = new Set()));
    paths.add(path);
    this.timer ??= setTimeout(() => this.flush(), REFRESH_DELAY_MS);
  }

  private flush(): void {
    this.timer = undefined;
    for (const [key, paths] of this.pending) {
      const entry = this.loaded.get(key);
      if (!entry) continue;
      for (const path of paths) entry.tracker.index.refreshFile(path);
      this.publishProblems(entry);
    }
    this.pending.clear();
    this.changed.fire();
  }

  private publishProblems(entry: FolderTickets): void {
    const byFile = new Map<string, FileDiagnostic[]>();
    for (const d of entry.tracker.index.diagnostics()) {
      let list = byFile.get(d.file);
      if (!list) byFile.set(d.file, (list = []));
      list.push(d);
    }
    const root = entry.tracker.location.root;
    this.problems.forEach((uri) => {
      if (uri.fsPath.startsWith(root) && !byFile.has(uri.fsPath)) this.problems.delete(uri);
    });
    for (const [file, list] of byFile) {
      this.problems.set(
        vscode.Uri.file(file),
        list.map((d) => {
          const line = Math.max(0, (d.line ?? 1) - 1);
          const diagnostic = new vscode.Diagnostic(new vscode.Range(line, 0, line, 1000), `${d.key ? `${d.key}: ` : ''}${d.message}`, d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
          diagnostic.source = 'Claude PM tickets';
          return diagnostic;
        }),
      );
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const list of this.watchers.values()) for (const d of list) d.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

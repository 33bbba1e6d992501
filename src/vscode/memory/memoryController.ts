import * as vscode from 'vscode';
import type { MemoryService } from '../../core/memory/memoryService';
import type { BackendStatus } from '../../core/memory/types';
import type { FolderSession } from '../common/folderSession';
import { Disposable } from '../common/lifecycle';
import type { FeatureContext } from '../featureContext';
import { TeamSchemaOffer } from './teamSchemaOffer';

/**
 * The memory services of the workspace folders, each owned by its folder's session (created on first use,
 * never during activation, rebuilt when the configuration changes). Commands act on the folder of their item
 * or the active editor; the Memory view shows the folder of the active editor.
 */
export class MemoryController extends Disposable {
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  private readonly statusChanged = this._register(new vscode.EventEmitter<BackendStatus>());
  /** Fires when memories changed (own writes, another process's, or a backend switch). */
  readonly onDidChange = this.changed.event;
  /** Fires with `{kind, state, queuedWrites}` whenever the backend status changes; the dashboard can listen too. */
  readonly onDidChangeStatus = this.statusChanged.event;
  private readonly attached = new WeakSet<MemoryService>();
  private shownFolder: vscode.WorkspaceFolder | undefined;
  private readonly schemaOffer: TeamSchemaOffer;

  constructor(private readonly features: FeatureContext) {
    super();
    this.schemaOffer = this._register(new TeamSchemaOffer(features));
    this._register(features.sessions.onDidChange(() => this.changed.fire()));
    this._register(
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        const folder = editor && vscode.workspace.getWorkspaceFolder(editor.document.uri);
        if (folder && folder !== this.shownFolder && features.sessions.folders().length > 1) {
          this.shownFolder = folder;
          this.changed.fire();
        }
      }),
    );
  }

  /** The folder the Memory view shows: the active editor's, else the first. */
  viewFolder(): vscode.WorkspaceFolder | undefined {
    const folders = this.features.sessions.folders();
    return this.shownFolder && folders.includes(this.shownFolder) ? this.shownFolder : folders[0];
  }

  /** The service of the folder a command acts on (its item's, the active editor's, or the one picked). */
  async get(target?: unknown): Promise<MemoryService> {
    const folder = await this.features.sessions.resolveFolder(target, vscode.l10n.t('Use the memory of which folder?'));
    if (!folder) throw new Error(vscode.l10n.t('Open a folder to use Claude PM memory.'));
    return this.of(folder);
  }

  /** The service of `folder`; the first call creates it and starts loading the local index in the background. */
  async of(folder: vscode.WorkspaceFolder): Promise<MemoryService> {
    const session = await this.features.sessions.get(folder);
    const service = await session.memory();
    this.attach(session, service);
    return service;
  }

  /** The view folder's service if already created, for synchronous callers (hovers, counts) that must not trigger I/O. */
  peek(folder = this.viewFolder()): MemoryService | undefined {
    return folder && this.features.sessions.peek(folder)?.peekMemory();
  }

  status(): BackendStatus | undefined {
    return this.peek()?.status();
  }

  private attach(session: FolderSession, service: MemoryService): void {
    if (this.attached.has(service)) return;
    this.attached.add(service);
    const offChange = service.local.onDidChange(() => {
      this.changed.fire();
      this.features.counts.notify();
    });
    const offStatus = service.onStatusChange((s) => this.statusChanged.fire(s));
    session.own({ dispose: () => (offChange(), offStatus()) });
    if (session.config.memory.backend === 'embedded') {
      // Another process (the CLI, an agent) appended to the log: read its lines.
      const watcher = session.own(vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(session.folder, '.claude-pm/memory/events.jsonl')));
      const refresh = () => void (service.backend as { refresh?: () => Promise<unknown> }).refresh?.();
      session.own(watcher.onDidChange(refresh));
      session.own(watcher.onDidCreate(refresh));
    }
    // The team database's schema is checked when its memory is first used, never during activation.
    if (session.config.memory.backend === 'postgres') void this.schemaOffer.check(session);
    void service.local.load().then(
      () => this.statusChanged.fire(service.status()),
      (error: unknown) => session.logger.warn('Memory: loading the local index failed:', error as Error),
    );
    this.statusChanged.fire(service.status());
  }
}

/** A short human description of the backend status for the view description and status bar. */
export function describeStatus(status: BackendStatus | undefined): string {
  if (!status) return '';
  if (status.kind === 'embedded') return vscode.l10n.t('embedded');
  const name = status.kind === 'mem0' ? 'mem0' : status.kind === 'postgres' ? vscode.l10n.t('team database') : 'mem0 platform';
  if (status.state === 'down' && status.kind === 'postgres') {
    return status.queuedWrites === 1 ? vscode.l10n.t('{0} offline, 1 queued write', name) : vscode.l10n.t('{0} offline, {1} queued writes', name, status.queuedWrites);
  }
  if (status.state === 'down') return vscode.l10n.t('{0} down, {1} queued writes', name, status.queuedWrites);
  return status.queuedWrites > 0 ? vscode.l10n.t('{0} connected, {1} queued writes', name, status.queuedWrites) : vscode.l10n.t('{0} connected', name);
}

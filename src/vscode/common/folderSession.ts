import { AsyncLocalStorage } from 'node:async_hooks';
import { isAbsolute, resolve } from 'node:path';
import * as vscode from 'vscode';
import type { RunEvent } from '../../core/agents/runner';
import type { ToolServerCommand } from '../../core/agents/toolServer';
import { isInside, realpathNearest } from '../../core/common/containedPath';
import type { Logger, LogLevel } from '../../core/common/logger';
import { CONFIG_DIR, CONFIG_FILE, loadConfig, type ResolvedConfig } from '../../core/config/loadConfig';
import { formatDiagnostic } from '../../core/config/diagnostics';
import type { MemoryService } from '../../core/memory/memoryService';
import { createMemoryService } from '../../core/memory/openMemory';
import type { RunLogLine, WorkflowEngine } from '../../core/orchestration/engine';
import { runMemoryFrom } from '../../core/orchestration/memoryBridge';
import type { RunAlert, RunRecord } from '../../core/orchestration/runRecord';
import type { RunStore } from '../../core/orchestration/runStore';
import { TeamRunRecorder } from '../../core/orchestration/teamRuns';
import { describeDatabaseError } from '../../core/database/connection';
import { queuedTeamAuditEventSchema, TEAM_AUDIT_OUTBOX, TeamAuditWriter } from '../../core/database/teamAuditWriter';
import { Outbox } from '../../core/memory/outbox';
import { createWorkflowEngine } from '../../core/orchestration/workflowSetup';
import type { Authorizer } from '../../core/security/permissions';
import { AuditLog, type AuditEntry } from '../../core/security/auditLog';
import { editorAuditTrust } from '../security/auditTrust';
import { createWorkspaceAuthorizer } from '../../core/security/policy';
import { ticketCacheDir } from '../../core/tickets/parseCache';
import { TicketTracker } from '../../core/tickets/tracker';
import type { ApiKeys } from './apiKeys';
import { publishDiagnostics } from './diagnostics';
import { Disposable } from './lifecycle';
import { PromiseCache } from './promiseCache';
import { readFolderSettings, type FolderSettings } from './settings';
import { memoryServiceUrl } from '../../core/security/testAuth';

type SessionPart = 'authorizer' | 'memory' | 'workflows' | 'tickets' | 'ticketRoots';

/** A folder's workflow engine and its run history. */
export interface FolderWorkflows {
  readonly engine: WorkflowEngine;
  readonly store: RunStore;
}

/** What every session shares: the log, the keys and where config problems go. */
export interface SessionHost {
  /** Builds a logger filtered at a folder's level over the extension's one log. */
  logger(level: () => LogLevel): Logger;
  readonly keys: ApiKeys;
  readonly problems: vscode.DiagnosticCollection;
  /** How to start the bundled `claude-pm mcp` for agent runs. */
  readonly toolServer?: ToolServerCommand;
}

/**
 * Everything Claude PM knows and holds for one workspace folder: its fully resolved configuration (settings,
 * `.claude-pm/config.json` and the environment merged), its API keys, and, built on first use, its
 * authorizer, memory service, workflow engine and ticket tracker. Disposed when the folder leaves or its
 * configuration changes; features never cache these themselves.
 */
export class FolderSession extends Disposable {
  readonly logger: Logger;
  private readonly parts = new PromiseCache<SessionPart, unknown>();
  private readonly runLog = this._register(new vscode.EventEmitter<RunLogLine>());
  private readonly runUpdate = this._register(new vscode.EventEmitter<RunRecord>());
  private readonly runAlert = this._register(new vscode.EventEmitter<{ alert: RunAlert; run: RunRecord }>());
  private audit: AuditLog | undefined;
  private teamAuditUrl: Promise<string | undefined> | undefined;
  /** Log lines, updates and alerts of this folder's workflow runs. */
  readonly onRunLog = this.runLog.event;
  private readonly runEvent = this._register(new vscode.EventEmitter<{ runId: string; step: string; event: RunEvent }>());
  /** Tool calls and results of this folder's workflow steps as they stream. */
  readonly onRunEvent = this.runEvent.event;
  readonly onRunUpdate = this.runUpdate.event;
  readonly onRunAlert = this.runAlert.event;

  constructor(
    readonly folder: vscode.WorkspaceFolder,
    readonly config: ResolvedConfig,
    readonly settings: FolderSettings,
    private readonly host: SessionHost,
    private readonly teamAuditWriter: (root: string, url: string, logger: Logger) => TeamAuditWriter,
  ) {
    super();
    this.logger = host.logger(() => settings.logLevel ?? config.logLevel);
  }

  get root(): string {
    return this.folder.uri.fsPath;
  }

  get keys(): ApiKeys {
    return this.host.keys;
  }

  /** Ties something a feature built on this session's resources (a subscription, a watcher) to its lifetime. */
  own<T extends vscode.Disposable>(value: T): T {
    return this._register(value);
  }

  /** The tool server agents of this folder get, unless `claudePm.agents.mcpServer` is off. */
  get toolServer(): ToolServerCommand | undefined {
    return this.settings.mcpServer ? this.host.toolServer : undefined;
  }

  /** Checks the acting user's permissions against the folder's `.claude-pm/policy.json` (re-read per check). */
  authorizer(): Promise<Authorizer> {
    return this.part('authorizer', () => createWorkspaceAuthorizer(this.root, {}, this.auditLog()));
  }

  /**
   * The folder's audit log, sealed with the user's key (the one the CLI uses). With the team database as the
   * memory backend, every entry also goes to the team's audit trail, in the background.
   */
  auditLog(): AuditLog {
    this.audit ??= AuditLog.forWorkspace(this.root, { trust: editorAuditTrust(), onAppend: (entries) => this.forwardToTeam(entries) });
    return this.audit;
  }

  /**
   * Hands audit entries to the team trail's writer, in the order of the log (one URL lookup per session, so the
   * hand-overs keep their order); nothing goes out in Restricted Mode (no database URL then).
   */
  private forwardToTeam(entries: readonly AuditEntry[]): void {
    if (this.config.memory.backend !== 'postgres') return;
    this.teamAuditUrl ??= this.keys.databaseUrl();
    void this.teamAuditUrl.then((url) => url && this.teamAuditWriter(this.root, url, this.logger).record(entries)).catch((error: unknown) => this.logger.warn(`team database audit trail: ${describeDatabaseError(error)}`));
  }

  /** The folder's memory service with its backend's key; created on first use, never during activation. */
  memory(): Promise<MemoryService> {
    return this.part('memory', async () => {
      const backend = this.config.memory.backend;
      const [apiKey, databaseUrl] = await Promise.all([this.keys.forBackend(backend, memoryServiceUrl(this.config, process.env)), backend === 'postgres' ? this.keys.databaseUrl() : undefined]);
      const service = createMemoryService(this.config, { logger: this.logger, ...(apiKey ? { apiKey } : {}), ...(databaseUrl ? { databaseUrl } : {}) });
      this._register({ dispose: () => void service.dispose().catch(() => undefined) });
      return service;
    });
  }

  /** The folder's workflow engine: agents learn from the folder's memory; runs go on without it if it fails. */
  workflows(): Promise<FolderWorkflows> {
    return this.part('workflows', async () => {
      const memory = await this.memory().catch((error: unknown) => {
        this.logger.warn('workflow runs go on without memory:', error as Error);
        return undefined;
      });
      return createWorkflowEngine({
        root: this.root,
        config: this.config,
        env: process.env,
        logger: this.logger,
        toolServer: this.toolServer,
        memory: memory && runMemoryFrom(memory),
        finishedRuns: await this.teamRuns(),
        events: {
          onLog: (line) => this.runLog.fire(line),
          onEvent: (runId, step, event) => this.runEvent.fire({ runId, step, event }),
          onUpdate: (run) => this.runUpdate.fire(run),
          onAlert: (alert, run) => this.runAlert.fire({ alert, run }),
        },
      });
    });
  }

  /**
   * With the team database as the memory backend, finished runs (workflows and delegated tasks) go there too; runs
   * an earlier window queued while it was unreachable are sent first.
   */
  private async teamRuns(): Promise<TeamRunRecorder | undefined> {
    const url = this.config.memory.backend === 'postgres' ? await this.keys.databaseUrl() : undefined;
    if (!url) return undefined;
    const recorder = new TeamRunRecorder(url, this.root, { logger: this.logger });
    this._register({ dispose: () => void recorder.dispose() });
    void recorder.replay().catch((error: unknown) => this.logger.debug(`team database: queued runs wait: ${describeDatabaseError(error)}`));
    return recorder;
  }

  /** The folder's ai-trackdown tickets, indexed on first use. */
  tickets(): Promise<TicketTracker> {
    return this.part('tickets', async () => TicketTracker.open(this.root, { ...this.ticketOptions(), root: await this.chosenTicketRoot() }));
  }

  /**
   * Trackers for the other folders that hold tickets, when the folder shows every ticket root
   * (`claudePm.tickets.showAllRoots`); none otherwise.
   */
  otherTicketRoots(): Promise<TicketTracker[]> {
    return this.part('ticketRoots', async () => {
      const primary = await this.tickets();
      if (!this.config.tickets.showAllRoots) return [];
      const others = primary.location.candidates.filter((c) => c.root !== primary.location.root && c.tickets > 0);
      return Promise.all(others.map((c) => TicketTracker.open(this.root, { ...this.ticketOptions(), root: c.root })));
    });
  }

  /** The configured ticket root, when it stays inside the folder (`.claude-pm/config.json` is workspace content). */
  private async chosenTicketRoot(): Promise<string | undefined> {
    const chosen = this.config.tickets.root;
    if (!chosen) return undefined;
    if (isInside(await realpathNearest(this.root), await realpathNearest(resolve(this.root, chosen)))) return chosen;
    this.logger.warn(`tickets: ignoring the ticket root ${chosen}: it is outside ${this.root}`);
    return undefined;
  }

  private ticketOptions() {
    return { env: process.env, actor: process.env.USER || process.env.USERNAME || 'vscode', cacheDir: ticketCacheDir(process.env) };
  }

  /** The ticket tracker if it is already loaded: for hovers and badges, which must not start any I/O. */
  peekTickets(): TicketTracker | undefined {
    return this.parts.peek('tickets') as TicketTracker | undefined;
  }

  /** The memory service if it is already created. */
  peekMemory(): MemoryService | undefined {
    return this.parts.peek('memory') as MemoryService | undefined;
  }

  private part<T>(name: SessionPart, create: () => Promise<T>): Promise<T> {
    if (this.isDisposed) return Promise.reject(new Error(vscode.l10n.t('The configuration of {0} changed; try again.', this.folder.name)));
    return this.parts.get(name, create) as Promise<T>;
  }
}

// The folder a command was invoked for, so that guards and the handler agree without asking twice.
const commandFolder = new AsyncLocalStorage<vscode.WorkspaceFolder>();

/**
 * The sessions of the workspace folders, in one promise cache that forgets failures. Any change to a
 * `claudePm.*` setting, a folder's config file or the folder list disposes the sessions it affects.
 */
export class FolderSessions extends Disposable {
  private readonly cache = new PromiseCache<string, FolderSession>((late) => late.dispose());
  // One per folder and database, outliving sessions: an event recorded while its session is replaced still goes out.
  private readonly teamAuditWriters = new Map<string, TeamAuditWriter>();
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  /** Fires after sessions were dropped: readers rebuild from fresh sessions. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly host: SessionHost) {
    super();
    const watcher = this._register(vscode.workspace.createFileSystemWatcher(`**/${CONFIG_DIR}/${CONFIG_FILE}`));
    const fileChanged = (uri: vscode.Uri) => this.invalidate(vscode.workspace.getWorkspaceFolder(uri));
    this._register(watcher.onDidChange(fileChanged));
    this._register(watcher.onDidCreate(fileChanged));
    this._register(watcher.onDidDelete(fileChanged));
    this._register(vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('claudePm') && this.invalidate()));
    this._register(
      vscode.workspace.onDidChangeWorkspaceFolders((e) => {
        for (const folder of e.removed) for (const gone of this.cache.delete(folder.uri.toString())) gone.dispose();
        this.changed.fire();
      }),
    );
    // A new key must reach the memory services that were built without it.
    this._register(host.keys.onDidChange(() => this.invalidate()));
    // Trusting the workspace opens the process gate and lets keys go out: sessions built without them are stale.
    this._register(vscode.workspace.onDidGrantWorkspaceTrust(() => this.invalidate()));
    this._register({ dispose: () => this.cache.delete().forEach((s) => s.dispose()) });
    this._register({ dispose: () => this.teamAuditWriters.forEach((writer) => void writer.dispose()) });
  }

  private teamAuditWriter(root: string, url: string, logger: Logger): TeamAuditWriter {
    const key = `${root}\0${url}`;
    let writer = this.teamAuditWriters.get(key);
    if (!writer) {
      writer = new TeamAuditWriter(url, new Outbox(resolve(root, TEAM_AUDIT_OUTBOX), queuedTeamAuditEventSchema), { trust: editorAuditTrust(), logger });
      this.teamAuditWriters.set(key, writer);
    }
    return writer;
  }

  /** The folders Claude PM works on. */
  folders(): readonly vscode.WorkspaceFolder[] {
    return vscode.workspace.workspaceFolders ?? [];
  }

  /** The session of `folder`, built on first use. */
  get(folder: vscode.WorkspaceFolder): Promise<FolderSession> {
    return this.cache.get(folder.uri.toString(), async () => {
      const settings = readFolderSettings(folder.uri);
      const { config, diagnostics } = await loadConfig(folder.uri.fsPath, settings.overrides);
      publishDiagnostics(this.host.problems, diagnostics.filter((d) => d.file === config.configPath), 'Claude PM', config.configPath);
      const session = new FolderSession(folder, config, settings, this.host, (root, url, logger) => this.teamAuditWriter(root, url, logger));
      for (const d of diagnostics) session.logger.warn(formatDiagnostic(d));
      return session;
    });
  }

  /** Sessions already built, for synchronous readers (counts, hovers). */
  loaded(): FolderSession[] {
    return this.cache.values();
  }

  peek(folder: vscode.WorkspaceFolder): FolderSession | undefined {
    return this.cache.peek(folder.uri.toString());
  }

  /** The settings of the folder holding `uri`, without building its session. */
  settingsFor(uri: vscode.Uri): FolderSettings {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    return (folder && this.peek(folder)?.settings) ?? readFolderSettings(uri);
  }

  /**
   * The folder a command acts on: the one it runs for, the folder of the item or resource it was given, of the
   * active editor, the only folder, or else the one the user picks. Never silently the first of several.
   */
  async resolveFolder(target?: unknown, placeHolder?: string): Promise<vscode.WorkspaceFolder | undefined> {
    const known = commandFolder.getStore() ?? folderOf(target) ?? activeEditorFolder();
    if (known) return known;
    const folders = this.folders();
    if (folders.length <= 1) return folders[0];
    return vscode.window.showWorkspaceFolderPick({ placeHolder: placeHolder ?? vscode.l10n.t('Which folder?') });
  }

  /** Runs `action` with `folder` as the folder every `resolveFolder` inside it answers. */
  runFor<T>(folder: vscode.WorkspaceFolder, action: () => T): T {
    return commandFolder.run(folder, action);
  }

  /** Drops the sessions of `folder` (or all): the next `get` reloads settings and config. */
  invalidate(folder?: vscode.WorkspaceFolder): void {
    for (const old of this.cache.delete(folder?.uri.toString())) old.dispose();
    this.changed.fire();
  }
}

/** The workspace folder an argument belongs to: a folder, a resource, or a tree item carrying either. */
export function folderOf(target: unknown): vscode.WorkspaceFolder | undefined {
  if (typeof target === 'string') return isAbsolute(target) ? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(target)) : undefined;
  if (!target || typeof target !== 'object') return undefined;
  if (target instanceof vscode.Uri) return vscode.workspace.getWorkspaceFolder(target);
  const candidate = target as { folder?: unknown; entry?: unknown; uri?: unknown; resourceUri?: unknown; index?: unknown; name?: unknown };
  if (candidate.uri instanceof vscode.Uri && typeof candidate.index === 'number' && typeof candidate.name === 'string') return target as vscode.WorkspaceFolder;
  if (candidate.folder) return folderOf(candidate.folder);
  if (candidate.entry) return folderOf(candidate.entry);
  if (candidate.resourceUri instanceof vscode.Uri) return vscode.workspace.getWorkspaceFolder(candidate.resourceUri);
  return undefined;
}

function activeEditorFolder(): vscode.WorkspaceFolder | undefined {
  const uri = vscode.window.activeTextEditor?.document.uri;
  return uri && vscode.workspace.getWorkspaceFolder(uri);
}

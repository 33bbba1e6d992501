import * as vscode from 'vscode';
import { createMemoryService } from '../../core/memory/openMemory';
import type { MemoryService } from '../../core/memory/memoryService';
import type { BackendStatus } from '../../core/memory/types';
import type { FeatureContext } from '../featureContext';

const SECRET_KEYS = { mem0: 'claudePm.apiKey.mem0', 'mem0-platform': 'claudePm.apiKey.mem0-platform' } as const;

/**
 * Owns the memory service of the first workspace folder: created on first use (never during activation),
 * rebuilt when the configuration changes, refreshed when another process (the CLI) appends to the store.
 */
export class MemoryController implements vscode.Disposable {
  private servicePromise: Promise<MemoryService> | undefined;
  private service: MemoryService | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly statusChanged = new vscode.EventEmitter<BackendStatus>();
  /** Fires when memories changed (own writes, another process's, or a backend switch). */
  readonly onDidChange = this.changed.event;
  /** Fires with `{kind, state, queuedWrites}` whenever the backend status changes; the dashboard can listen too. */
  readonly onDidChangeStatus = this.statusChanged.event;
  private readonly disposables: vscode.Disposable[] = [this.changed, this.statusChanged];
  private readonly serviceDisposables: (() => void)[] = [];

  constructor(private readonly features: FeatureContext) {
    this.disposables.push(
      features.configs.onDidChange(() => {
        if (this.servicePromise) void this.reset();
      }),
    );
  }

  /** The loaded service; the first call creates it and starts loading the local index in the background. */
  get(): Promise<MemoryService> {
    this.servicePromise ??= this.create().catch((error: unknown) => {
      this.servicePromise = undefined;
      throw error;
    });
    return this.servicePromise;
  }

  /** The service if already created, for synchronous callers (hovers, counts) that must not trigger I/O. */
  peek(): MemoryService | undefined {
    return this.service;
  }

  status(): BackendStatus | undefined {
    return this.service?.status();
  }

  private async create(): Promise<MemoryService> {
    const folder = this.features.configs.folders()[0];
    const config = await this.features.configs.get(folder);
    if (!config) throw new Error(vscode.l10n.t('Open a folder to use Claude PM memory.'));
    const backend = config.memory.backend;
    const apiKey = backend === 'embedded' ? undefined : await this.features.extension.secrets.get(SECRET_KEYS[backend]);
    const service = createMemoryService(config, { logger: this.features.logger, ...(apiKey ? { apiKey } : {}) });
    this.service = service;
    this.serviceDisposables.push(
      service.local.onDidChange(() => {
        this.changed.fire();
        this.features.counts.notify();
      }),
      service.onStatusChange((s) => this.statusChanged.fire(s)),
    );
    if (folder && backend === 'embedded') {
      // Another process (the CLI, an agent) appended to the log: read its lines.
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '.claude-pm/memory/events.jsonl'));
      const refresh = () => void (service.backend as { refresh?: () => Promise<unknown> }).refresh?.();
      const subs = [watcher, watcher.onDidChange(refresh), watcher.onDidCreate(refresh)];
      this.serviceDisposables.push(() => subs.forEach((d) => d.dispose()));
    }
    void service.local.load().then(
      () => this.statusChanged.fire(service.status()),
      (error: unknown) => this.features.logger.warn('Memory: loading the local index failed:', error as Error),
    );
    this.statusChanged.fire(service.status());
    return service;
  }

  private async reset(): Promise<void> {
    const old = this.service;
    this.serviceDisposables.splice(0).forEach((d) => d());
    this.service = undefined;
    this.servicePromise = undefined;
    await old?.dispose().catch(() => undefined);
    this.changed.fire();
  }

  dispose(): void {
    void this.reset();
    this.disposables.forEach((d) => d.dispose());
  }
}

/** A short human description of the backend status for the view description and status bar. */
export function describeStatus(status: BackendStatus | undefined): string {
  if (!status) return '';
  if (status.kind === 'embedded') return vscode.l10n.t('embedded');
  const name = status.kind === 'mem0' ? 'mem0' : 'mem0 platform';
  if (status.state === 'down') return vscode.l10n.t('{0} down, {1} queued writes', name, status.queuedWrites);
  return status.queuedWrites > 0 ? vscode.l10n.t('{0} connected, {1} queued writes', name, status.queuedWrites) : vscode.l10n.t('{0} connected', name);
}

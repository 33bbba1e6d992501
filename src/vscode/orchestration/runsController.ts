import * as vscode from 'vscode';
import { formatLogLine, type RunHandle, type RunLogLine } from '../../core/orchestration/engine';
import type { DelegatedRun } from '../../core/agents/delegate';
import { RunActivity } from '../../core/agents/activity';
import type { RunEvent } from '../../core/agents/runner';
import { runSucceeded, statusWords, type RunAlert, type RunRecord } from '../../core/orchestration/runRecord';
import { resolveWorkflow, WorkflowError } from '../../core/orchestration/workflowFile';
import { delegatedRunRecord } from '../../core/orchestration/delegatedRecord';
import { COST_RANGE_DAYS } from '../../shared/costChart';
import type { FolderSession, FolderWorkflows } from '../common/folderSession';
import type { FeatureContext } from '../featureContext';
import type { AgentCatalog } from '../../core/agents/discoverAgents';
import { createAgentRunner, runnerSettingsFromConfig } from '../../core/agents/createAgentRunner';
import { formatRunEvent, summarizeRun } from '../../core/agents/runLog';
import { redact } from '../../core/common/redact';
import { continueRun, resumeTarget } from '../../core/orchestration/continueRun';

/** The activity key of a run's follow-up turn `index` (0 for the first continuation), beside its step names. */
export function continuationKey(index: number, step?: string): string {
  return step === undefined ? `\u0001turn ${index}` : `\u0001turn ${index} of ${step}`;
}

/** A run as the Runs view shows it, with the folder it belongs to. */
export interface RunEntry {
  folder: vscode.WorkspaceFolder;
  record: RunRecord;
  handle?: RunHandle;
}

const MAX_HISTORY = 50;
/** Runs beyond the Runs view's history are kept (without their output) for the dashboard's longest cost range. */
const COST_HISTORY_DAYS = Math.max(...COST_RANGE_DAYS);
const MAX_LOG_CHANNELS = 8;
// Live step output arrives in bursts; the tree repaints at most this often.
const REPAINT_MS = 250;
const DEFAULT_STALLED_S = 120;

/**
 * Workflow runs of every folder: history read lazily from `.claude-pm/runs/`, live runs from the engine of the
 * folder's session (created on the first run), one output channel per live run, and orphaned runs marked interrupted.
 */
export class RunsController implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly attached = new WeakSet<FolderSession>();
  private readonly entries = new Map<string, RunEntry>();
  /** Older runs than the Runs view lists, for cost totals only. */
  private readonly older = new Map<string, RunRecord>();
  /** Live tool calls and sub-agents per step of the runs streaming now, keyed `runId \0 step`. */
  private readonly activities = new Map<string, RunActivity>();
  private readonly channels = new Map<string, vscode.OutputChannel>();
  /** Follow-ups to finished delegated runs going on now, to cancel them. */
  private readonly continuing = new Map<string, AbortController>();
  private loaded?: Promise<void>;
  private repaint?: ReturnType<typeof setTimeout>;

  constructor(private readonly features: FeatureContext) {}

  /** Every known run, newest first; loads the history on first call. */
  async runs(): Promise<RunEntry[]> {
    await (this.loaded ??= this.loadHistory());
    return [...this.entries.values()].sort((a, b) => b.record.startedAt.localeCompare(a.record.startedAt)).slice(0, MAX_HISTORY);
  }

  /** Every run known, live ones as they stand now, the older ones without their output. */
  async records(): Promise<RunRecord[]> {
    await (this.loaded ??= this.loadHistory());
    const listed = [...this.entries.values()].map((e) => e.record);
    return [...listed, ...[...this.older.values()].filter((r) => !this.entries.has(r.id))];
  }

  /** What a step's agent has been doing, while the run is live. */
  activity(runId: string, step: string): RunActivity | undefined {
    return this.activities.get(`${runId}\u0000${step}`);
  }

  /** Seconds of silence after which a running agent of `entry` is marked stalled. */
  stalledAfterMs(entry: RunEntry): number {
    return (this.features.sessions.peek(entry.folder)?.settings.stalledAfterSeconds ?? DEFAULT_STALLED_S) * 1000;
  }

  get(id: string): RunEntry | undefined {
    return this.entries.get(id);
  }

  counts(): { active: number; completed: number; failed: number } {
    let active = 0;
    let completed = 0;
    let failed = 0;
    for (const { record } of this.entries.values()) {
      if (record.status === 'running') active++;
      else if (runSucceeded(record)) completed++;
      else if (record.status !== 'cancelled') failed++;
    }
    return { active, completed, failed };
  }

  get activeCount(): number {
    return this.counts().active;
  }

  /** A record changed outside a run (a branch applied or discarded): the view and counts show it. */
  recordChanged(): void {
    this.changedSoon(true);
  }

  refresh(): void {
    this.loaded = undefined;
    this.older.clear();
    for (const [id, entry] of this.entries) if (!entry.handle) this.entries.delete(id);
    this.changed.fire();
  }

  /** Starts a workflow file; conditional workflows pick their branch from `context`. */
  async start(folder: vscode.WorkspaceFolder, file: string, context: Record<string, unknown>, reuse?: Record<string, string>): Promise<RunEntry> {
    const resolved = await resolveWorkflow(file, context).catch((error: unknown) => {
      if (error instanceof WorkflowError && error.diagnostics.length) {
        throw new Error(`${error.message}: ${error.diagnostics.map((d) => `line ${d.line ?? '?'}: ${d.message}`).join('; ')}`);
      }
      throw error;
    });
    const { engine } = await this.folderRuns(folder);
    return this.track(folder, engine.start({ workflow: resolved.workflow, steps: resolved.steps, file: resolved.file, context, selectedVia: resolved.selectedVia, reuse }));
  }

  /** The folder's engine and run history, shared by the Runs view and the event listener (one set of limits). */
  engineFor(folder: vscode.WorkspaceFolder): Promise<FolderWorkflows> {
    return this.folderRuns(folder);
  }

  /** Shows a run started on the folder's engine (by a workflow command or a webhook delivery) until it ends. */
  async track(folder: vscode.WorkspaceFolder, handle: RunHandle): Promise<RunEntry> {
    await this.runs();
    const entry: RunEntry = { folder, record: handle.record, handle };
    this.entries.set(handle.id, entry);
    this.channelFor(handle.id, handle.record.workflow);
    this.changedSoon(true);
    void handle.done.then((record) => {
      entry.record = record;
      entry.handle = undefined;
      this.changedSoon(true);
      const failed = record.steps.filter((s) => s.status === 'failed' || s.status === 'timed_out').map((s) => s.name);
      if (record.status === 'succeeded') void vscode.window.showInformationMessage(vscode.l10n.t("Workflow '{0}' succeeded.", record.workflow));
      else if (record.status !== 'cancelled') {
        void vscode.window
          .showWarningMessage(vscode.l10n.t("Workflow '{0}' {1}: {2}", record.workflow, statusWords(record.status), failed.join(', ') || record.error || ''), vscode.l10n.t('Show Run Log'))
          .then((choice) => (choice ? this.showLog(record.id) : undefined));
      }
    });
    return entry;
  }

  /** Shows a task delegated from the Agents view as a one-step run and keeps it in the folder's history. */
  trackDelegated(run: DelegatedRun): void {
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(run.cwd));
    if (!folder) return;
    const record = delegatedRunRecord(run);
    this.entries.set(run.id, { folder, record });
    void this.folderRuns(folder)
      .then(({ store }) => store.save(record))
      .catch((error: Error) => this.features.logger.warn(`could not record delegated run ${run.id}: ${error.message}`));
    this.changedSoon(true);
  }

  cancel(id: string): boolean {
    const handle = this.entries.get(id)?.handle;
    handle?.cancel();
    const continuation = this.continuing.get(id);
    continuation?.abort();
    return handle !== undefined || continuation !== undefined;
  }

  /**
   * Sends `message` to the finished delegated run `id` in its Claude Code session, with the agent's settings of the
   * first turn; the turn streams into the Runs view under the same run and is recorded there.
   */
  async continueRun(id: string, message: string, catalog: AgentCatalog, step?: string): Promise<void> {
    const entry = this.entries.get(id);
    if (!entry) throw new Error(vscode.l10n.t('Run {0} is no longer known; refresh the Runs view.', id));
    if (this.continuing.has(id)) throw new Error(vscode.l10n.t('Run {0} is still running.', id));
    const session = await this.features.sessions.get(entry.folder);
    const runner = createAgentRunner(runnerSettingsFromConfig(session.config, { toolServer: session.toolServer }));
    const target = resumeTarget(entry.record, runner.kind, step);
    const { store } = await this.folderRuns(entry.folder);
    const key = continuationKey(target.turns.length, step);
    const label = target.step.agentType;
    const channel = this.channelFor(id, entry.record.workflow);
    const controller = new AbortController();
    this.continuing.set(id, controller);
    try {
      const { result } = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Continuing "{0}"…', entry.record.workflow), cancellable: true }, (_progress, token) => {
        token.onCancellationRequested(() => controller.abort());
        return continueRun({
          record: entry.record,
          message,
          step,
          catalog,
          runner,
          cwd: entry.folder.uri.fsPath,
          timeoutMs: session.config.orchestrator.agentTimeoutMs,
          signal: controller.signal,
          checkpointsKept: session.config.agents.checkpointsKept,
          onEvent: (event) => {
            this.acceptEvent(id, key, event);
            for (const line of formatRunEvent(label, event)) channel.appendLine(redact(line));
          },
          onUpdate: async (record) => {
            // The view may have been refreshed since: the entry shown is updated, or shown again.
            const shown = this.entries.get(id);
            if (shown) shown.record = record;
            else this.entries.set(id, { folder: entry.folder, record });
            this.changedSoon(true);
            await store.save(record);
          },
        });
      });
      for (const line of summarizeRun(label, result)) channel.appendLine(redact(line));
      if (result.status !== 'succeeded' && result.status !== 'cancelled') {
        void vscode.window.showWarningMessage(vscode.l10n.t('The follow-up to "{0}" did not finish: {1}', entry.record.workflow, redact(result.error ?? statusWords(result.status))), vscode.l10n.t('Show Run Log')).then((choice) => (choice ? this.showLog(id) : undefined));
      }
    } finally {
      this.continuing.delete(id);
    }
  }

  /** Runs the workflow of `id` again: every step, or (`failedOnly`) only those that did not succeed. */
  async again(id: string, failedOnly: boolean): Promise<RunEntry> {
    const entry = this.entries.get(id);
    if (!entry) throw new Error(vscode.l10n.t('Run {0} is no longer known; refresh the Runs view.', id));
    if (entry.handle) throw new Error(vscode.l10n.t('Run {0} is still running.', id));
    const file = entry.record.file;
    if (!file) throw new Error(vscode.l10n.t('Run {0} has no workflow file to run again.', id));
    const reuse = failedOnly ? Object.fromEntries(entry.record.steps.filter((s) => s.status === 'succeeded').map((s) => [s.name, s.outputTail ?? ''])) : undefined;
    // Both run the workflow the earlier run ended up in, so a conditional's branch stays the same.
    return this.start(entry.folder, file, entry.record.context, reuse);
  }

  async showLog(id: string): Promise<void> {
    const channel = this.channels.get(id);
    if (channel) return channel.show(true);
    const entry = this.entries.get(id);
    if (!entry) return;
    const { store } = await this.folderRuns(entry.folder);
    try {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(store.logPath(id)));
      await vscode.window.showTextDocument(doc, { preview: true });
    } catch {
      void vscode.window.showInformationMessage(vscode.l10n.t('Run {0} has no log yet.', id));
    }
  }

  private async loadHistory(): Promise<void> {
    for (const folder of this.features.sessions.folders()) {
      try {
        const { store } = await this.folderRuns(folder);
        const interrupted = await store.markInterrupted();
        if (interrupted.length) this.features.logger.info(`marked ${interrupted.length} run(s) interrupted by a restart: ${interrupted.join(', ')}`);
        const { runs, diagnostics } = await store.list();
        for (const d of diagnostics) this.features.logger.warn(`${d.file}: ${d.message}`);
        for (const record of runs.slice(0, MAX_HISTORY)) if (!this.entries.get(record.id)?.handle) this.entries.set(record.id, { folder, record });
        const since = new Date(Date.now() - COST_HISTORY_DAYS * 86_400_000).toISOString();
        for (const record of runs.slice(MAX_HISTORY)) if (record.startedAt >= since) this.older.set(record.id, withoutOutput(record));
      } catch (error) {
        this.features.logger.warn(`could not read the runs of ${folder.name}:`, error as Error);
      }
    }
    this.features.counts.notify();
  }

  /** The folder's engine and run history, from its session; the session's run events feed this view. */
  private async folderRuns(folder: vscode.WorkspaceFolder): Promise<FolderWorkflows> {
    const session = await this.features.sessions.get(folder);
    if (!this.attached.has(session)) {
      this.attached.add(session);
      session.own(session.onRunLog((line) => this.onLog(line)));
      session.own(session.onRunEvent(({ runId, step, event }) => this.acceptEvent(runId, step, event)));
      session.own(session.onRunUpdate(() => this.changedSoon(false)));
      session.own(session.onRunAlert(({ alert, run }) => this.onAlert(alert, run)));
    }
    return session.workflows();
  }

  /** A live event of a run's agent: a workflow step's, a delegated task's, or a continuation's (`continuationKey`). */
  acceptEvent(runId: string, step: string, event: RunEvent): void {
    const key = `${runId}\u0000${step}`;
    let activity = this.activities.get(key);
    if (!activity) this.activities.set(key, (activity = new RunActivity(Date.now())));
    activity.accept(event, Date.now());
    if (event.kind === 'tool_use' || event.kind === 'tool_result') this.changedSoon(false);
  }

  private onLog(line: RunLogLine): void {
    this.channels.get(line.runId)?.appendLine(formatLogLine(line));
  }

  private onAlert(alert: RunAlert, run: RunRecord): void {
    void vscode.window.showWarningMessage(alert.message, vscode.l10n.t('Show Run Log')).then((choice) => (choice ? this.showLog(run.id) : undefined));
  }

  private channelFor(id: string, workflow: string): vscode.OutputChannel {
    let channel = this.channels.get(id);
    if (!channel) {
      channel = vscode.window.createOutputChannel(vscode.l10n.t('Claude PM Run: {0} ({1})', workflow, id.slice(-4)));
      this.channels.set(id, channel);
      // Keep the newest channels; older runs still have their log file.
      for (const [oldId, old] of this.channels) {
        if (this.channels.size <= MAX_LOG_CHANNELS) break;
        if (this.entries.get(oldId)?.handle) continue;
        old.dispose();
        this.channels.delete(oldId);
      }
    }
    return channel;
  }

  private changedSoon(countsToo: boolean): void {
    if (countsToo) this.features.counts.notify();
    if (this.repaint) return;
    this.repaint = setTimeout(() => {
      this.repaint = undefined;
      this.changed.fire();
    }, REPAINT_MS);
  }

  dispose(): void {
    clearTimeout(this.repaint);
    for (const controller of this.continuing.values()) controller.abort();
    for (const entry of this.entries.values()) entry.handle?.cancel();
    for (const channel of this.channels.values()) channel.dispose();
    this.changed.dispose();
  }
}

/** A run's record without the output tails of its steps, the bulk of an old run no view shows any more. */
function withoutOutput(record: RunRecord): RunRecord {
  return { ...record, steps: record.steps.map(({ outputTail: _dropped, ...step }) => step) };
}

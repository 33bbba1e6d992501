import * as vscode from 'vscode';
import { subagentSummary, type ToolCall } from '../../core/agents/activity';
import { formatDuration } from '../../core/common/duration';
import { statusWords, type RunRecord, type RunState, type StepIsolation, type StepRecord, type StepState } from '../../core/orchestration/runRecord';
import { Disposable } from '../common/lifecycle';
import { continuationKey, type RunEntry, type RunsController } from './runsController';
import { markdownCode, markdownText } from '../../core/common/markdownText';

/**
 * `turn`: a follow-up message sent to a finished delegated run (`index` into its continuations), or with `step` to
 * that step of a workflow run (`index` into the step's continuations). `call`: a tool call
 * of a step's or a turn's agent (`step` is the activity key); `path` is its id and those of the sub-agent calls above it.
 */
export type RunsNode =
  | { kind: 'run'; id: string }
  | { kind: 'step'; runId: string; name: string }
  | { kind: 'turn'; runId: string; index: number; step?: string }
  | { kind: 'call'; runId: string; step: string; path: string[] };

// A long run's newest calls are the ones worth seeing; older ones stay in the run log.
const MAX_CALLS_SHOWN = 200;

const RUN_ICON: Record<RunState, [string, string | undefined]> = {
  running: ['sync~spin', undefined],
  succeeded: ['pass', 'testing.iconPassed'],
  completed_with_failures: ['warning', 'list.warningForeground'],
  failed: ['error', 'testing.iconFailed'],
  timed_out: ['watch', 'testing.iconFailed'],
  cancelled: ['circle-slash', undefined],
  interrupted: ['debug-disconnect', 'list.warningForeground'],
};

const STEP_ICON: Record<StepState, [string, string | undefined]> = {
  pending: ['circle-large-outline', undefined],
  waiting: ['clock', undefined],
  running: ['sync~spin', undefined],
  retrying: ['debug-restart', 'list.warningForeground'],
  succeeded: ['pass', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  timed_out: ['watch', 'testing.iconFailed'],
  cancelled: ['circle-slash', undefined],
  skipped: ['debug-step-over', undefined],
  interrupted: ['debug-disconnect', 'list.warningForeground'],
};

// Elapsed times of running runs tick while the view is visible.
const TICK_MS = 1000;

function themeIcon([id, color]: [string, string | undefined]): vscode.ThemeIcon {
  return new vscode.ThemeIcon(id, color ? new vscode.ThemeColor(color) : undefined);
}

/** The Runs view: runs (newest first) → steps, with live status icons, elapsed time and attempts. */
export class RunsTreeProvider extends Disposable implements vscode.TreeDataProvider<RunsNode> {
  private readonly changed = this._register(new vscode.EventEmitter<RunsNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private ticker?: ReturnType<typeof setInterval>;

  constructor(private readonly controller: RunsController) {
    super();
    this._register(
      controller.onDidChange(() => {
        this.changed.fire(undefined);
        this.updateTicker();
      }),
    );
    this._register({ dispose: () => clearInterval(this.ticker) });
  }

  async getChildren(node?: RunsNode): Promise<RunsNode[]> {
    if (!node) return (await this.controller.runs()).map((e) => ({ kind: 'run', id: e.record.id }));
    if (node.kind === 'step') return [...this.callNodes(node), ...this.turnNodes(node.runId, node.name)];
    if (node.kind !== 'run') return this.callNodes(node);
    const record = this.controller.get(node.id)?.record;
    const steps: RunsNode[] = (record?.steps ?? []).map((s) => ({ kind: 'step', runId: node.id, name: s.name }));
    return [...steps, ...this.turnNodes(node.id)];
  }

  /** The follow-ups of a delegated run, or of the workflow step `step`. */
  private turnNodes(runId: string, step?: string): RunsNode[] {
    const record = this.controller.get(runId)?.record;
    const turns = step === undefined ? record?.continuations : record?.steps.find((s) => s.name === step)?.continuations;
    return (turns ?? []).map((_, index): RunsNode => ({ kind: 'turn', runId, index, ...(step === undefined ? {} : { step }) }));
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    const entry = this.controller.get(node.kind === 'run' ? node.id : node.runId);
    if (!entry) return new vscode.TreeItem(vscode.l10n.t('(gone)'));
    if (node.kind === 'call') return this.callItem(node);
    if (node.kind === 'turn') return this.turnItem(entry, node.index, node.step);
    return node.kind === 'run' ? this.runItem(entry) : this.stepItem(entry, entry.record.steps.find((s) => s.name === node.name));
  }

  getParent(node: RunsNode): RunsNode | undefined {
    if (node.kind === 'turn' && node.step !== undefined) return { kind: 'step', runId: node.runId, name: node.step };
    if (node.kind === 'step' || node.kind === 'turn') return { kind: 'run', id: node.runId };
    if (node.kind === 'call') {
      if (node.path.length > 1) return { ...node, path: node.path.slice(0, -1) };
      return this.turnOfActivity(node.runId, node.step) ?? { kind: 'step', runId: node.runId, name: node.step };
    }
    return undefined;
  }

  /** The turn whose calls are kept under the activity key `key`, if one is. */
  private turnOfActivity(runId: string, key: string): RunsNode | undefined {
    const record = this.controller.get(runId)?.record;
    const runTurn = record?.continuations?.findIndex((_, i) => continuationKey(i) === key) ?? -1;
    if (runTurn >= 0) return { kind: 'turn', runId, index: runTurn };
    for (const step of record?.steps ?? []) {
      const index = step.continuations?.findIndex((_, i) => continuationKey(i, step.name) === key) ?? -1;
      if (index >= 0) return { kind: 'turn', runId, index, step: step.name };
    }
    return undefined;
  }

  /** A step's or a turn's calls, or a sub-agent's. */
  private callNodes(node: Extract<RunsNode, { kind: 'step' | 'turn' | 'call' }>): RunsNode[] {
    const step = node.kind === 'step' ? node.name : node.kind === 'turn' ? continuationKey(node.index, node.step) : node.step;
    const calls = node.kind === 'call' ? this.findCall(node)?.subagent?.calls : this.controller.activity(node.runId, step)?.calls;
    const path = node.kind === 'call' ? node.path : [];
    return (calls ?? []).slice(-MAX_CALLS_SHOWN).map((c) => ({ kind: 'call', runId: node.runId, step, path: [...path, c.id] }));
  }

  private findCall(node: Extract<RunsNode, { kind: 'call' }>): ToolCall | undefined {
    let calls = this.controller.activity(node.runId, node.step)?.calls;
    let found: ToolCall | undefined;
    for (const id of node.path) {
      found = calls?.find((c) => c.id === id);
      calls = found?.subagent?.calls;
    }
    return found;
  }

  private callItem(node: Extract<RunsNode, { kind: 'call' }>): vscode.TreeItem {
    const call = this.findCall(node);
    if (!call) return new vscode.TreeItem(vscode.l10n.t('(gone)'));
    const now = Date.now();
    // A sub-agent is one summary line until expanded.
    const item = call.subagent ? new vscode.TreeItem(subagentSummary(call, now), vscode.TreeItemCollapsibleState.Collapsed) : new vscode.TreeItem(call.tool, vscode.TreeItemCollapsibleState.None);
    item.id = `call:${node.runId}:${node.step}:${node.path.join('/')}`;
    const took = formatDuration((call.endedAt ?? now) - call.startedAt);
    item.description = call.subagent ? undefined : [call.target, call.outcome === 'running' ? vscode.l10n.t('running {0}', took) : took, call.outcome === 'error' ? vscode.l10n.t('failed') : undefined].filter(Boolean).join(' · ');
    item.iconPath = call.outcome === 'running' ? new vscode.ThemeIcon('sync~spin') : call.outcome === 'error' ? new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')) : new vscode.ThemeIcon(call.subagent ? 'person' : 'tools');
    item.tooltip = call.target ? `${call.tool} ${call.target}` : call.tool;
    item.contextValue = call.subagent ? 'subagent' : 'call';
    return item;
  }

  private runItem(entry: RunEntry): vscode.TreeItem {
    const run = entry.record;
    const item = new vscode.TreeItem(run.workflow, run.status === 'running' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `run:${run.id}`;
    const ended = run.endedAt ? Date.parse(run.endedAt) : Date.now();
    const done = run.steps.filter((s) => s.status === 'succeeded').length;
    // A delegated task is one step: counting it says nothing the status does not.
    const progress = run.file ? (run.steps.length === 1 ? vscode.l10n.t('{0} of 1 step', done) : vscode.l10n.t('{0} of {1} steps', done, run.steps.length)) : undefined;
    item.description = [run.trigger ? `${run.trigger.source} ${run.trigger.event}` : undefined, statusLabel(run.status), formatDuration(ended - Date.parse(run.startedAt)), progress, run.costUsd ? `$${run.costUsd.toFixed(2)}` : undefined].filter(Boolean).join(' · ');
    item.iconPath = themeIcon(RUN_ICON[run.status]);
    // Delegated tasks have no workflow file: nothing to cancel, retry or rerun from here; a finished one may be
    // continued (it has a session). Delegated and workflow runs alike have their checkpoint reviewed or reverted.
    const state = !run.file ? delegatedState(run) : run.status === 'running' ? 'run.running' : run.steps.some((s) => s.status !== 'succeeded' && s.status !== 'skipped') ? 'run.failed' : 'run.finished';
    // `.event` marks runs a webhook delivery started: a failed one can be redelivered from its kept payload.
    // `.branches`: isolated steps left branches not yet applied or discarded.
    // `.changes` (a workflow run's checkpoint holds changed files) comes after `.event` and before `.branches`, which menus match at the end.
    const changes = run.file && checkpointChanged(run) ? '.changes' : '';
    item.contextValue = `${state}${run.trigger ? '.event' : ''}${changes}${run.steps.some(hasOpenBranch) ? '.branches' : ''}`;
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`**${markdownText(run.workflow)}** · ${statusLabel(run.status)}\n\n`);
    tooltip.appendMarkdown(`${vscode.l10n.t('Run')} ${markdownCode(run.id)} · ${new Date(run.startedAt).toLocaleString()}\n\n`);
    if (run.trigger) tooltip.appendMarkdown(`$(radio-tower) ${vscode.l10n.t('Started by the {0} {1} delivery {2}', run.trigger.source, markdownText(run.trigger.event + (run.trigger.action ? ` (${run.trigger.action})` : '')), markdownCode(run.trigger.deliveryId))}\n\n`);
    for (const s of run.selectedVia ?? []) tooltip.appendMarkdown(`${vscode.l10n.t('Selected by {0}', markdownText(s.workflow))}\n\n`);
    if (run.error) tooltip.appendMarkdown(`${markdownText(run.error)}\n\n`);
    for (const alert of run.alerts) tooltip.appendMarkdown(`$(warning) ${markdownText(alert.message)}\n\n`);
    const changed = checkpointSummary(run);
    if (changed) tooltip.appendMarkdown(`$(diff-multiple) ${changed}\n\n`);
    if (entry.folder) tooltip.appendMarkdown(`$(folder) ${markdownText(entry.folder.name)}`);
    item.tooltip = tooltip;
    item.command = { command: 'claudePm.runs.showLog', title: vscode.l10n.t('Show Run Log'), arguments: [{ kind: 'run', id: run.id }] };
    return item;
  }

  private stepItem(entry: RunEntry, step: StepRecord | undefined): vscode.TreeItem {
    if (!step) return new vscode.TreeItem(vscode.l10n.t('(gone)'));
    const activity = this.controller.activity(entry.record.id, step.name);
    const item = new vscode.TreeItem(step.name, activity?.calls.length || step.continuations?.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = `step:${entry.record.id}:${step.name}`;
    const stalled = step.status === 'running' && activity !== undefined && activity.stalled(Date.now(), this.controller.stalledAfterMs(entry));
    const agent = step.ranAs ? `${step.agentType} → ${step.ranAs}` : step.agentType;
    // A step named after its agent ("qa" run by qa) need not say the agent twice.
    const shownAgent = step.name.toLowerCase() === agent.toLowerCase() ? undefined : agent;
    const elapsed = step.startedAt ? formatDuration((step.status === 'running' || step.status === 'retrying' ? Date.now() : Date.parse(step.endedAt ?? step.startedAt)) - Date.parse(step.startedAt)) : '';
    const calls = activity ? activity.counts.running + activity.counts.ok + activity.counts.error : 0;
    item.description = [
      shownAgent,
      stalled ? vscode.l10n.t('stalled: silent for {0}', formatDuration(Date.now() - activity.lastEventAt)) : statusLabel(step.status),
      elapsed,
      step.attempts > 1 ? vscode.l10n.t('{0} attempts', step.attempts) : '',
      calls ? (calls === 1 ? vscode.l10n.t('1 tool call') : vscode.l10n.t('{0} tool calls', calls)) : '',
      step.isolation ? isolationState(step.isolation) : '',
    ]
      .filter(Boolean)
      .join(' · ');
    item.iconPath = stalled ? themeIcon(['warning', 'list.warningForeground']) : themeIcon(STEP_ICON[step.status]);
    // `step.resumable`: a finished workflow step with a Claude Code session takes a follow-up (Continue…).
    const resumable = entry.record.file !== undefined && entry.record.status !== 'running' && step.sessionId !== undefined && !step.isolation;
    item.contextValue = hasOpenBranch(step) ? 'step.branch' : resumable ? 'step.resumable' : 'step';
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`**${markdownText(step.name)}** (${markdownText(agent)}) · ${statusLabel(step.status)}\n\n`);
    tooltip.appendCodeblock(step.command ?? step.task.slice(0, 400), step.command ? 'sh' : 'text');
    if (step.dependsOn.length) tooltip.appendMarkdown(`${vscode.l10n.t('After: {0}', markdownText(step.dependsOn.join(', ')))}\n\n`);
    if (step.error) tooltip.appendMarkdown(`$(error) ${markdownText(step.error)}\n\n`);
    if (step.memories?.length) tooltip.appendMarkdown(`${vscode.l10n.t('Memories given: {0}', markdownText(step.memories.map((m) => `${m.category}:${m.id}`).join(', ')))}\n\n`);
    if (step.isolation) tooltip.appendMarkdown(`$(git-branch) ${markdownCode(step.isolation.branch)}: ${isolationState(step.isolation)}\n\n`);
    if (step.outputTail) tooltip.appendCodeblock(step.outputTail.slice(-800), 'text');
    item.tooltip = tooltip;
    item.command = { command: 'claudePm.runs.showLog', title: vscode.l10n.t('Show Run Log'), arguments: [{ kind: 'run', id: entry.record.id }] };
    return item;
  }

  /** A follow-up sent to the run's session: its message, outcome, time and spend, and its calls while live. */
  private turnItem(entry: RunEntry, index: number, step?: string): vscode.TreeItem {
    const turn = (step === undefined ? entry.record.continuations : entry.record.steps.find((s) => s.name === step)?.continuations)?.[index];
    if (!turn) return new vscode.TreeItem(vscode.l10n.t('(gone)'));
    const activity = this.controller.activity(entry.record.id, continuationKey(index, step));
    const item = new vscode.TreeItem(`↪ ${clipLine(turn.message)}`, activity?.calls.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = step === undefined ? `turn:${entry.record.id}:${index}` : `turn:${entry.record.id}:${index}:${step}`;
    const stalled = turn.status === 'running' && activity !== undefined && activity.stalled(Date.now(), this.controller.stalledAfterMs(entry));
    const elapsed = formatDuration((turn.endedAt ? Date.parse(turn.endedAt) : Date.now()) - Date.parse(turn.startedAt));
    const calls = turn.toolCalls ?? (activity ? activity.counts.running + activity.counts.ok + activity.counts.error : 0);
    item.description = [
      stalled ? vscode.l10n.t('stalled: silent for {0}', formatDuration(Date.now() - activity.lastEventAt)) : statusLabel(turn.status),
      elapsed,
      calls ? (calls === 1 ? vscode.l10n.t('1 tool call') : vscode.l10n.t('{0} tool calls', calls)) : '',
      turn.costUsd ? `$${turn.costUsd.toFixed(2)}` : '',
    ]
      .filter(Boolean)
      .join(' · ');
    item.iconPath = stalled ? themeIcon(['warning', 'list.warningForeground']) : themeIcon(STEP_ICON[turn.status]);
    item.contextValue = 'turn';
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`**${vscode.l10n.t('Follow-up')}** · ${statusLabel(turn.status)}\n\n`);
    tooltip.appendCodeblock(turn.message.slice(0, 400), 'text');
    if (turn.error) tooltip.appendMarkdown(`$(error) ${markdownText(turn.error)}\n\n`);
    if (turn.outputTail) tooltip.appendCodeblock(turn.outputTail.slice(-800), 'text');
    item.tooltip = tooltip;
    item.command = { command: 'claudePm.runs.showLog', title: vscode.l10n.t('Show Run Log'), arguments: [{ kind: 'run', id: entry.record.id }] };
    return item;
  }

  private updateTicker(): void {
    const active = this.controller.activeCount > 0;
    if (active && !this.ticker) this.ticker = setInterval(() => this.changed.fire(undefined), TICK_MS);
    else if (!active && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

}

function hasOpenBranch(step: StepRecord): boolean {
  return step.isolation !== undefined && !step.isolation.resolution;
}

function isolationState(isolation: StepIsolation): string {
  const resolution = isolation.resolution;
  if (resolution) return resolution.action === 'applied' ? vscode.l10n.t('applied') : vscode.l10n.t('discarded');
  const { files, insertions, deletions } = isolation.diffStat;
  if (files === 0) return vscode.l10n.t('no changes');
  return files === 1 ? vscode.l10n.t('1 file changed, +{0} −{1}', insertions, deletions) : vscode.l10n.t('{0} files changed, +{1} −{2}', files, insertions, deletions);
}

/** `run.delegated`, with `.changes` when its checkpoint holds changed files and `.resumable` when it can be continued. */
function delegatedState(run: RunRecord): string {
  const resumable = run.status !== 'running' && run.steps[0]?.sessionId !== undefined;
  return `run.delegated${checkpointChanged(run) ? '.changes' : ''}${resumable ? '.resumable' : ''}`;
}

/** Whether the run's checkpoint, taken to its end, holds changed files (what Review Changes and Revert Run show). */
export function checkpointChanged(run: RunRecord): boolean {
  return run.status !== 'running' && run.checkpoint?.after !== undefined && (run.checkpoint.filesTotal ?? run.checkpoint.files?.length ?? 0) > 0;
}

/** `3 files changed`, or why there is no checkpoint; nothing for a run still going. */
function checkpointSummary(run: RunRecord): string | undefined {
  const checkpoint = run.checkpoint;
  if (!checkpoint || run.status === 'running') return undefined;
  if (!checkpoint.after) return checkpoint.unavailable ? markdownText(vscode.l10n.t('No checkpoint: {0}', checkpoint.unavailable.replace(/^no checkpoint: /, ''))) : undefined;
  const count = checkpoint.filesTotal ?? checkpoint.files?.length ?? 0;
  return count === 0 ? vscode.l10n.t('No files changed') : count === 1 ? vscode.l10n.t('1 file changed') : vscode.l10n.t('{0} files changed', count);
}

function clipLine(text: string, max = 60): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function statusLabel(status: RunState | StepState): string {
  return statusWords(status);
}

import * as vscode from 'vscode';
import { createAgentRunner, runnerSettingsFromConfig } from '../../core/agents/createAgentRunner';
import { checkpointsOption, delegateTask, runOutcomeNote, type DelegatedRun } from '../../core/agents/delegate';
import type { RunEvent } from '../../core/agents/runner';
import { findAgent, type AgentCatalog, type ResolvedAgent } from '../../core/agents/discoverAgents';
import { formatRunEvent, summarizeRun } from '../../core/agents/runLog';
import { redact } from '../../core/common/redact';
import { isOpen } from '../../core/tickets/model';
import { statusLabel } from '../../core/tickets/status';
import { inputStep, pickStep, StepToggle, type Step } from '../common/stepInput';
import type { IsolationMode } from '../../core/agents/runner';
import { findRepository } from '../../core/agents/worktreeIsolation';
import { diffStatText } from '../../core/orchestration/runBranches';
import type { FeatureContext } from '../featureContext';
import type { FolderSession } from '../common/folderSession';
import type { AgentsCatalogStore } from './agentsCatalogStore';

/** The public argument of `claudePm.agents.delegate`; missing fields are asked for. */
export interface DelegateArgs {
  task?: string;
  agentType?: string;
  ticketId?: string;
  /** `worktree`: the agent works in its own git worktree; asked flows show it as a toggle. */
  isolation?: IsolationMode;
}

/** What the tree passes when "Delegate task…" is clicked on an agent. */
interface AgentNodeArg {
  kind: 'agent';
  folder: vscode.WorkspaceFolder;
  agent: ResolvedAgent;
}

export interface DelegationHooks {
  onStart(run: DelegatedRun): void;
  /** A live event of the run's agent (the run's one step is named after the agent). */
  onEvent(run: DelegatedRun, event: RunEvent): void;
  onFinish(run: DelegatedRun): void;
}

// Keep the log channels of the latest runs; older ones are closed so the Output list stays short.
const KEPT_RUN_CHANNELS = 10;

export class DelegateCommand implements vscode.Disposable {
  private readonly channels: vscode.LogOutputChannel[] = [];
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly features: FeatureContext,
    private readonly store: AgentsCatalogStore,
    private readonly hooks: DelegationHooks,
  ) {}

  get runningCount(): number {
    return this.running.size;
  }

  async run(arg?: DelegateArgs | AgentNodeArg): Promise<DelegatedRun | undefined> {
    const fromTree = arg && 'kind' in arg && arg.kind === 'agent' ? arg : undefined;
    const args: DelegateArgs = fromTree ? { agentType: fromTree.agent.type } : ((arg as DelegateArgs | undefined) ?? {});
    const folder = fromTree?.folder ?? (await this.features.sessions.resolveFolder(arg, vscode.l10n.t('Which project should the agent work in?')));
    if (!folder && this.features.sessions.folders().length === 0) void vscode.window.showWarningMessage(vscode.l10n.t('Open a folder to delegate tasks to agents.'));
    if (!folder) return undefined;
    const catalog = await this.store.get(folder);
    const requested = args.agentType ? findAgent(catalog, args.agentType) : undefined;
    // Only what is not given is asked for, and the title counts those steps.
    const asked = [!requested, !args.task?.trim(), args.ticketId === undefined].filter(Boolean).length;
    let step = 0;
    const next = (title: string) => ({ title, step: ++step, totalSteps: asked });
    // A title-bar toggle on every step, so the choice costs no extra step.
    const isolated = new StepToggle(vscode.l10n.t('Run in an isolated worktree'), args.isolation === 'worktree');
    const toggles = [isolated];
    const agent = requested ?? (await pickAgent(catalog, args.agentType, next(vscode.l10n.t('Delegate Task to Agent')), toggles));
    if (!agent) return undefined;
    const title = vscode.l10n.t('Delegate to {0}', agent.name);
    const task = args.task?.trim() || (await inputStep(next(title), { prompt: vscode.l10n.t('What should the agent do?'), validate: (v) => (v.trim() ? undefined : vscode.l10n.t('Describe the task')), toggles }))?.trim();
    if (!task) return undefined;
    const ticketId = args.ticketId ?? (await this.pickTicket(folder, next(title), toggles));
    if (ticketId === undefined) return undefined;
    return this.start(folder, catalog, agent, task, ticketId.trim() || undefined, isolated.on ? 'worktree' : undefined);
  }

  /** One of the folder's open tickets, or '' for none; undefined when dismissed. */
  private async pickTicket(folder: vscode.WorkspaceFolder, at: Step, toggles: readonly StepToggle[]): Promise<string | undefined> {
    const tracker = await (await this.features.sessions.get(folder)).tickets().catch(() => undefined);
    const open = (tracker?.index.query({}) ?? []).filter((t) => isOpen(t.normalizedStatus));
    const none = { label: vscode.l10n.t('No ticket'), description: open.length ? undefined : vscode.l10n.t('this folder has no open tickets'), id: '' };
    const items = [none, ...open.map((t) => ({ label: `${t.id} ${t.title}`, description: statusLabel(t.state ?? t.status), id: t.id }))];
    return (await pickStep(at, items, { placeholder: vscode.l10n.t('Link an open ticket (optional)'), matchOnDescription: true, toggles }))?.id;
  }

  private async start(folder: vscode.WorkspaceFolder, catalog: AgentCatalog, agent: ResolvedAgent, task: string, ticketId: string | undefined, isolation: IsolationMode | undefined): Promise<DelegatedRun> {
    const session = await this.features.sessions.get(folder);
    // No repository (or no commit) is said before the agent starts, with what to do.
    if (isolation === 'worktree') await findRepository(folder.uri.fsPath);
    const settings = runnerSettingsFromConfig(session.config, { toolServer: session.toolServer });
    const runner = createAgentRunner(settings);
    const kind = settings.kind;
    const channel = this.openChannel(agent, task);
    const controller = new AbortController();
    const label = agent.type;
    let started: DelegatedRun | undefined;

    let run: DelegatedRun;
    try {
      run = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('{0}: {1}', agent.name, clip(task, 60)), cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          channel.info(redact(`[${label}] ${agent.name} (${agent.tier} tier, ${kind} runner) in ${folder.uri.fsPath}`));
          channel.info(redact(`[${label}] task: ${task}${ticketId ? ` (${ticketId})` : ''}`));
          if (isolation === 'worktree') channel.info(`[${label}] in an isolated worktree: the changes go to a branch of their own, your working tree stays as it is`);
          return delegateTask(
            {
              catalog,
              agent,
              runner,
              task,
              ticketId,
              isolation,
              cwd: folder.uri.fsPath,
              timeoutMs: session.config.orchestrator.agentTimeoutMs,
              signal: controller.signal,
              checkpoints: checkpointsOption(session.config.agents.checkpointsKept),
              onEvent: (event) => {
                if (started) this.hooks.onEvent(started, event);
                for (const line of formatRunEvent(label, event)) channel.info(redact(line));
                if (event.kind === 'text' || event.kind === 'stdout') progress.report({ message: clip(redact(event.text), 80) });
                else if (event.kind === 'tool_use') progress.report({ message: event.name });
              },
            },
            (run) => {
              started = run;
              this.running.set(run.id, controller);
              this.hooks.onStart(run);
            },
          );
        },
      );
    } finally {
      if (started) this.running.delete(started.id);
    }
    const result = run.result!;
    for (const line of summarizeRun(label, result)) (result.status === 'succeeded' ? channel.info : channel.error)(redact(line));
    this.hooks.onFinish(run);
    if (run.ticketId) await this.noteOnTicket(session, run, channel);
    if (result.isolation) channel.info(`[${label}] changes on ${result.isolation.branch}: ${diffStatText(result.isolation)}`);
    void this.announce(agent, run, channel);
    return run;
  }

  /** The ticket the task was delegated for gets a note with the outcome and cost. */
  private async noteOnTicket(session: FolderSession, run: DelegatedRun, channel: vscode.LogOutputChannel): Promise<void> {
    try {
      await (await session.authorizer()).require('ticket.write', 'tickets note', run.ticketId);
      await (await session.tickets()).addNote(run.ticketId!, runOutcomeNote(run));
    } catch (error) {
      channel.warn(redact(`could not add the run's outcome to ${run.ticketId}: ${(error as Error).message}`));
    }
  }

  private openChannel(agent: ResolvedAgent, task: string): vscode.LogOutputChannel {
    const channel = vscode.window.createOutputChannel(vscode.l10n.t('Claude PM: {0} – {1}', agent.name, clip(task, 40)), { log: true });
    channel.show(true);
    this.channels.push(channel);
    while (this.channels.length > KEPT_RUN_CHANNELS) this.channels.shift()!.dispose();
    return channel;
  }

  private async announce(agent: ResolvedAgent, run: DelegatedRun, channel: vscode.LogOutputChannel): Promise<void> {
    const { status, error, isolation } = run.result!;
    const showLog = vscode.l10n.t('Show Log');
    // An isolated run's changes wait on their branch: the message leads to them.
    const review = isolation && isolation.diffStat.files > 0 ? vscode.l10n.t('Review Changes') : undefined;
    const actions = review ? [review, showLog] : [showLog];
    const choice =
      status === 'succeeded'
        ? await vscode.window.showInformationMessage(vscode.l10n.t('{0} finished the task.', agent.name), ...actions)
        : status === 'cancelled'
          ? await vscode.window.showInformationMessage(vscode.l10n.t('{0}: the run was cancelled.', agent.name), ...actions)
          : await vscode.window.showWarningMessage(vscode.l10n.t('{0} did not finish: {1}', agent.name, redact(error ?? status)), ...actions);
    if (choice === showLog) channel.show();
    else if (review && choice === review) await vscode.commands.executeCommand('claudePm.runs.reviewChanges', run.id);
  }

  dispose(): void {
    // Closing the window must not leave agents running.
    for (const controller of this.running.values()) controller.abort();
    for (const channel of this.channels) channel.dispose();
  }
}

async function pickAgent(catalog: AgentCatalog, requested: string | undefined, at: Step, toggles: readonly StepToggle[]): Promise<ResolvedAgent | undefined> {
  const picked = await pickStep(
    at,
    catalog.agents.map((agent) => ({ label: agent.name, description: agent.type, detail: agent.description, agent })),
    { placeholder: requested ? vscode.l10n.t('No agent "{0}"; pick one', requested) : vscode.l10n.t('Pick the agent'), matchOnDescription: true, matchOnDetail: true, toggles },
  );
  return picked?.agent;
}

function clip(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

import * as vscode from 'vscode';
import { registerToolServer } from '../../core/agents/projectMcpFile';
import { registerCommand } from '../commands';
import type { FeatureContext } from '../featureContext';
import { registerAgents } from './agentsFeature';
import { RunsController, type RunEntry } from './runsController';
import { revertRunFiles } from './runChanges';
import { RunsTreeProvider, type RunsNode } from './runsTree';
import { newWorkflowCommand, runWorkflowCommand } from './workflowCommands';
import { registerRunBranchCommands } from './runBranchCommands';
import { WorkflowDiagnostics } from './workflowDiagnostics';
import { createTree } from '../common/treeViews';

const RUN_ACTION = 'Running a workflow';
const REVEAL_ATTEMPTS = 5;
const REVEAL_RETRY_MS = 300;

/** The Agents and Runs views and the workflow commands. No I/O here: runs load when the view first asks. */
export function registerOrchestration(features: FeatureContext): { runs: RunsController; revealRun: RevealRun } {
  const agents = registerAgents(features);
  const runs = new RunsController(features);
  const tree = new RunsTreeProvider(runs);
  const view = createTree('claudePm.runs', tree);
  const runId = (node?: RunsNode | string): string | undefined => (typeof node === 'string' ? node : node?.kind === 'run' ? node.id : node?.runId);
  const requireRun = (node?: RunsNode | string): string => {
    const id = runId(node);
    if (!id) throw new Error(vscode.l10n.t('Pick a run in the Runs view first.'));
    return id;
  };

  features.extension.subscriptions.push(
    runs,
    tree,
    view,
    agents.onDidStartRun((run) => runs.trackDelegated(run)),
    // A delegated task is a one-step run whose step is named after its agent.
    agents.onDidRunEvent(({ run, event }) => runs.acceptEvent(run.id, run.agentName, event)),
    agents.onDidFinishRun((run) => runs.trackDelegated(run)),
    features.counts.register('runs', () => runs.counts()),
    new WorkflowDiagnostics(),
  );

  registerCommand(features, 'claudePm.workflows.run', (uri?: vscode.Uri) => runWorkflowCommand(features, runs, uri), { permission: 'workflow.run', requiresTrust: RUN_ACTION });
  registerCommand(features, 'claudePm.workflows.new', () => newWorkflowCommand(features), { permission: 'workflow.run' });
  registerCommand(features, 'claudePm.runs.cancel', (node?: RunsNode | string) => {
    if (!runs.cancel(requireRun(node))) void vscode.window.showInformationMessage(vscode.l10n.t('That run is not running.'));
  }, { permission: 'workflow.run' });
  registerCommand(features, 'claudePm.runs.retry', (node?: RunsNode | string) => runs.again(requireRun(node), true), { permission: 'workflow.run', requiresTrust: RUN_ACTION });
  registerCommand(features, 'claudePm.runs.rerun', (node?: RunsNode | string) => runs.again(requireRun(node), false), { permission: 'workflow.run', requiresTrust: RUN_ACTION });
  const requireEntry = (node?: RunsNode | string): RunEntry => {
    const id = requireRun(node);
    const entry = runs.get(id);
    if (!entry) throw new Error(vscode.l10n.t('Run {0} is no longer known; refresh the Runs view.', id));
    return entry;
  };
  registerCommand(features, 'claudePm.runs.revert', (node?: RunsNode | string) => revertRunFiles(features, requireEntry(node)), { permission: 'task.delegate', requiresTrust: vscode.l10n.t('Reverting a run') });
  registerCommand(features, 'claudePm.runs.continue', async (node?: RunsNode | string) => {
    const entry = requireEntry(node);
    const message = await vscode.window.showInputBox({ title: vscode.l10n.t('Continue "{0}"', entry.record.workflow), prompt: vscode.l10n.t('A follow-up message for the agent, in the same session'), validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('Write a message')) });
    if (!message?.trim()) return;
    // On a workflow run's step node, the follow-up goes to that step's session.
    const step = typeof node === 'object' && node.kind === 'step' ? node.name : undefined;
    await runs.continueRun(entry.record.id, message.trim(), await agents.catalog(entry.folder), step);
  }, { permission: 'task.delegate', requiresTrust: vscode.l10n.t('Running an agent') });
  registerCommand(features, 'claudePm.runs.showLog', (node?: RunsNode | string) => runs.showLog(requireRun(node)));
  registerCommand(features, 'claudePm.runs.refresh', () => runs.refresh());
  registerRunBranchCommands(features, runs);
  registerCommand(features, 'claudePm.agents.registerMcpServer', () => registerMcpServerCommand(features), { permission: 'system.configure' });
  return { runs, revealRun: (id, step) => revealRun(runs, view, id, step) };
}

/** Shows a run (or one of its steps) selected in the Runs view, e.g. for a click on the dashboard. */
export type RevealRun = (runId: string, step?: string) => Promise<void>;

async function revealRun(runs: RunsController, view: vscode.TreeView<RunsNode>, id: string, step?: string): Promise<void> {
  const listed = (await runs.runs()).find((e) => e.record.id === id);
  if (!listed) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Run {0} is not in the Runs view: it is older than the runs the view lists, or it ran in another workspace.', id));
    return;
  }
  const node: RunsNode = step !== undefined && listed.record.steps.some((s) => s.name === step) ? { kind: 'step', runId: id, name: step } : { kind: 'run', id };
  await vscode.commands.executeCommand('claudePm.runs.focus');
  // Right after a run starts or ends the view may still be drawing that change and know no node for it yet.
  for (let attempt = 1; ; attempt++) {
    try {
      return await view.reveal(node, { select: true, focus: true, expand: node.kind === 'run' });
    } catch (error) {
      if (attempt >= REVEAL_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, REVEAL_RETRY_MS));
    }
  }
}

/** Adds the bundled `claude-pm mcp` to the folder's `.mcp.json`, so interactive Claude Code sessions get the tools too. */
async function registerMcpServerCommand(features: FeatureContext): Promise<void> {
  const folder = await features.sessions.resolveFolder();
  if (!folder) return;
  // Interactive sessions start the server with the user's Node; the path is the installed extension's CLI.
  const cli = vscode.Uri.joinPath(features.extension.extensionUri, 'dist', 'cli.js').fsPath;
  const { file, replaced } = await registerToolServer(folder.uri.fsPath, { command: 'node', args: [cli] });
  const open = vscode.l10n.t('Open .mcp.json');
  const message = replaced ? vscode.l10n.t('Updated the claude-pm entry in .mcp.json of {0}.', folder.name) : vscode.l10n.t('Claude Code sessions in {0} now have the claude-pm tools (memory, tickets, health).', folder.name);
  if ((await vscode.window.showInformationMessage(message, open)) === open) await vscode.window.showTextDocument(vscode.Uri.file(file));
}

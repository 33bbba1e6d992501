import { isAbsolute, join, relative } from 'node:path';
import * as vscode from 'vscode';
import { branchChanges, fileAt } from '../../core/agents/isolatedBranches';
import { findRepository } from '../../core/agents/worktreeIsolation';
import { applyRunSteps, diffStatText, discardRunSteps, isolatedSteps, type IsolatedStep } from '../../core/orchestration/runBranches';
import { registerCommand } from '../commands';
import type { FeatureContext } from '../featureContext';
import type { RunEntry, RunsController } from './runsController';
import { checkpointChanged, type RunsNode } from './runsTree';
import { reviewRunChanges } from './runChanges';

// Review, Apply and Discard for the branches isolated steps leave (`isolation: worktree`), from the Runs view or by
// run id (the delegation notice's "Review Changes"). The same core functions back `claude-pm runs diff|apply|discard`.

const SCHEME = 'claude-pm-branch';
const CHANGING = 'Changing a run branch';
// More than this many conflicted files are listed in Source Control rather than opened one by one.
const MAX_OPENED_CONFLICTS = 10;

export function registerRunBranchCommands(features: FeatureContext, runs: RunsController): void {
  features.extension.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(SCHEME, new BranchFiles()));
  registerCommand(features, 'claudePm.runs.reviewChanges', (node?: RunsNode | string) => review(runs, node), { requiresTrust: vscode.l10n.t('Reading a run branch') });
  registerCommand(features, 'claudePm.runs.applyChanges', (node?: RunsNode | string) => apply(runs, node), { permission: 'task.delegate', requiresTrust: CHANGING });
  registerCommand(features, 'claudePm.runs.discardChanges', (node?: RunsNode | string) => discard(runs, node), { permission: 'task.delegate', requiresTrust: CHANGING });
}

/** The run and the isolated steps a Runs-view node (or a run id) stands for; `open` keeps unresolved ones only. */
async function target(runs: RunsController, node: RunsNode | string | undefined, open: boolean): Promise<{ entry: RunEntry; steps: IsolatedStep[] }> {
  const id = typeof node === 'string' ? node : node?.kind === 'run' ? node.id : node?.runId;
  if (!id) throw new Error(vscode.l10n.t('Pick a run in the Runs view first.'));
  await runs.runs();
  const entry = runs.get(id);
  if (!entry) throw new Error(vscode.l10n.t('Run {0} is no longer known; refresh the Runs view.', id));
  const step = typeof node === 'object' ? (node.kind === 'step' ? node.name : node.kind === 'call' ? node.step : undefined) : undefined;
  return { entry, steps: isolatedSteps(entry.record, step, open) };
}

async function review(runs: RunsController, node: RunsNode | string | undefined): Promise<void> {
  // A run with a checkpoint shows what it changed in the working tree; one that also has isolated steps (a workflow
  // run) asks which: the working tree, or a step's branch. A step's own node goes to its branch.
  const checkpointed = await checkpointedRun(runs, node);
  const isolated = checkpointed?.record.steps.filter((s): s is IsolatedStep => s.isolation !== undefined) ?? [];
  if (checkpointed && !isolated.length) return reviewRunChanges(checkpointed, branchFileUri);
  const { entry, steps } = checkpointed ? { entry: checkpointed, steps: isolated } : await target(runs, node, false);
  const withWorkingTree = checkpointed !== undefined && checkpointChanged(checkpointed.record);
  const step = steps.length === 1 && !withWorkingTree ? steps[0] : await pickStep(steps, vscode.l10n.t('Which changes?'), withWorkingTree);
  if (step === WORKING_TREE) return reviewRunChanges(entry, branchFileUri);
  if (!step) return;
  const cwd = entry.folder.uri.fsPath;
  const { root } = await findRepository(cwd);
  const changes = await branchChanges(cwd, step.isolation);
  if (!changes.length) {
    void vscode.window.showInformationMessage(vscode.l10n.t('{0} changed nothing on {1}.', step.name, step.isolation.branch));
    return;
  }
  const resources = changes.map((c) => [vscode.Uri.file(join(root, c.path)), branchFileUri(root, step.isolation.base, c.path), branchFileUri(root, step.isolation.branch, c.path)]);
  await vscode.commands.executeCommand('vscode.changes', vscode.l10n.t('{0} · {1} ({2})', entry.record.workflow, step.name, diffStatText(step.isolation)), resources);
}

/** The run a node (or id) stands for, when it has a checkpoint; an isolated step's node is about its branch instead. */
async function checkpointedRun(runs: RunsController, node: RunsNode | string | undefined): Promise<RunEntry | undefined> {
  const id = typeof node === 'string' ? node : node?.kind === 'run' ? node.id : node?.runId;
  const stepName = typeof node === 'object' ? (node.kind === 'step' ? node.name : node.kind === 'call' ? node.step : undefined) : undefined;
  await runs.runs();
  const entry = id === undefined ? undefined : runs.get(id);
  if (!entry?.record.checkpoint || entry.record.steps.some((s) => s.name === stepName && s.isolation)) return undefined;
  return entry;
}

async function apply(runs: RunsController, node: RunsNode | string | undefined): Promise<void> {
  const { entry, steps } = await target(runs, node, true);
  const { store } = await runs.engineFor(entry.folder);
  const { applied, conflicted } = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Applying the changes of {0}…', entry.record.workflow) }, () =>
    applyRunSteps(store, entry.folder.uri.fsPath, entry.record, steps),
  );
  runs.recordChanged();
  if (!conflicted) {
    void vscode.window.showInformationMessage(applied.length === 1 ? vscode.l10n.t('Applied the changes of {0}.', applied[0]!) : vscode.l10n.t('Applied the changes of {0} steps.', applied.length));
    return;
  }
  // The merge stays in progress: each conflicted file opens, where VS Code offers its merge editor.
  for (const file of conflicted.files.slice(0, MAX_OPENED_CONFLICTS)) await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file));
  const scm = vscode.l10n.t('Open Source Control');
  const names = conflicted.files.map((f) => relative(entry.folder.uri.fsPath, f)).join(', ');
  const message =
    conflicted.files.length === 1
      ? vscode.l10n.t('The changes of {0} conflict with yours in {1}. Resolve the conflict (Resolve in Merge Editor), then commit in Source Control; or run git merge --abort to undo the merge.', conflicted.step, names)
      : vscode.l10n.t('The changes of {0} conflict with yours in {1} files: {2}. Resolve the conflicts (Resolve in Merge Editor), then commit in Source Control; or run git merge --abort to undo the merge.', conflicted.step, conflicted.files.length, names);
  if ((await vscode.window.showWarningMessage(message, scm)) === scm) await vscode.commands.executeCommand('workbench.view.scm');
}

async function discard(runs: RunsController, node: RunsNode | string | undefined): Promise<void> {
  const { entry, steps } = await target(runs, node, true);
  const branches = steps.map((s) => s.isolation.branch);
  const confirm = vscode.l10n.t('Discard');
  const detail = steps.map((s) => `${s.isolation.branch}: ${diffStatText(s.isolation)}`).join('\n');
  const question = branches.length === 1 ? vscode.l10n.t('Delete the branch {0} and the changes only it holds?', branches[0]!) : vscode.l10n.t('Delete {0} branches of this run and the changes only they hold?', branches.length);
  if ((await vscode.window.showWarningMessage(question, { modal: true, detail }, confirm)) !== confirm) return;
  const { store } = await runs.engineFor(entry.folder);
  await discardRunSteps(store, entry.folder.uri.fsPath, entry.record, steps);
  runs.recordChanged();
}

/** Stands for the run's checkpoint (the steps that shared the working tree) among the isolated steps. */
const WORKING_TREE = Symbol('working tree');

async function pickStep(steps: readonly IsolatedStep[], placeholder: string, withWorkingTree = false): Promise<IsolatedStep | typeof WORKING_TREE | undefined> {
  const items: (vscode.QuickPickItem & { step: IsolatedStep | typeof WORKING_TREE })[] = steps.map((step) => ({ label: step.name, description: diffStatText(step.isolation), detail: step.isolation.branch, step }));
  if (withWorkingTree) items.unshift({ label: vscode.l10n.t('Working tree'), description: vscode.l10n.t('the steps that ran in the workspace'), step: WORKING_TREE });
  return (await vscode.window.showQuickPick(items, { placeHolder: placeholder }))?.step;
}

function branchFileUri(root: string, revision: string, path: string): vscode.Uri {
  return vscode.Uri.from({ scheme: SCHEME, path: `/${path}`, query: JSON.stringify({ root, revision }) });
}

/**
 * A file as a commit (a run's base, a checkpoint) or a run branch has it, read-only, for the diff editors of Review Changes. Only a workspace
 * folder's repository, a commit id or a Claude PM branch is read: the URI may come from anywhere.
 */
class BranchFiles implements vscode.TextDocumentContentProvider {
  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const { root, revision } = JSON.parse(uri.query) as { root?: unknown; revision?: unknown };
    if (typeof root !== 'string' || typeof revision !== 'string' || !/^([0-9a-f]{40}|claude-pm\/[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+)$/.test(revision) || revision.includes('..')) return '';
    const inWorkspace = (vscode.workspace.workspaceFolders ?? []).some((f) => {
      const between = relative(root, f.uri.fsPath);
      return between === '' || (!between.startsWith('..') && !isAbsolute(between));
    });
    if (!inWorkspace) return '';
    return (await fileAt(root, revision, uri.path.slice(1))) ?? '';
  }
}

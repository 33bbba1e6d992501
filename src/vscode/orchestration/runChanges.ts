import * as vscode from 'vscode';
import { completeCheckpoint, checkpointChanges, repositoryPlace, type ChangedFile } from '../../core/agents/checkpoint';
import { planRevert, revertRun, type RevertItem } from '../../core/agents/revertRun';
import type { FeatureContext } from '../featureContext';
import { recordSecurityEvent } from '../security/securityEvents';
import type { RunEntry } from './runsController';

// "Review Changes" and "Revert Run" on a run with a checkpoint: the multi-file diff of exactly what the run changed,
// and putting those files back after a confirmation that lists them.

const LISTED_IN_CONFIRMATION = 12;

/** A read-only document of a repository's file at a commit (the Runs view's one content provider for diffs). */
export type CommitFileUri = (repositoryRoot: string, commit: string, path: string) => vscode.Uri;

/** Opens VS Code's multi-file diff: each file as it was before the run against as the run left it. */
export async function reviewRunChanges(entry: RunEntry, fileAt: CommitFileUri): Promise<void> {
  const cwd = entry.folder.uri.fsPath;
  const { before, after } = completeCheckpoint(entry.record.checkpoint);
  const files = await checkpointChanges(cwd, entry.record.checkpoint!);
  if (!files.length) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Run "{0}" changed no files.', entry.record.workflow));
    return;
  }
  // Checkpoint paths are the workspace's; commits name files from the repository's top.
  const { top, prefix } = await repositoryPlace(cwd);
  const triples = files.map((file) => [vscode.Uri.joinPath(entry.folder.uri, file.path), fileAt(top, before, prefix + file.path), fileAt(top, after, prefix + file.path)]);
  await vscode.commands.executeCommand('vscode.changes', vscode.l10n.t('Changes of run "{0}"', entry.record.workflow), triples);
}

/** Asks, then restores the run's files to their content before it; files changed since need a second yes. */
export async function revertRunFiles(features: FeatureContext, entry: RunEntry): Promise<void> {
  const root = entry.folder.uri.fsPath;
  if (entry.record.status === 'running') throw new Error(vscode.l10n.t('Run "{0}" is still running; revert it when it ends.', entry.record.workflow));
  completeCheckpoint(entry.record.checkpoint);
  const plan = await planRevert(root, entry.record.checkpoint!);
  if (!plan.length) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Run "{0}" changed no files.', entry.record.workflow));
    return;
  }
  const revert = vscode.l10n.t('Revert');
  const confirmed = await vscode.window.showWarningMessage(
    plan.length === 1 ? vscode.l10n.t('Revert the file run "{0}" changed?', entry.record.workflow) : vscode.l10n.t('Revert the {0} files run "{1}" changed?', plan.length, entry.record.workflow),
    { modal: true, detail: confirmationDetail(plan) },
    revert,
  );
  if (confirmed !== revert) return;
  const changedSince = plan.filter((p) => p.state === 'changed_since');
  let force = false;
  if (changedSince.length) {
    const overwrite = vscode.l10n.t('Overwrite Them Too');
    const keep = vscode.l10n.t('Keep Them');
    const choice = await vscode.window.showWarningMessage(
      changedSince.length === 1 ? vscode.l10n.t('1 file was changed again after the run ended. Overwrite it with its content from before the run?') : vscode.l10n.t('{0} files were changed again after the run ended. Overwrite them with their content from before the run?', changedSince.length),
      { modal: true, detail: changedSince.map((p) => p.file.path).slice(0, LISTED_IN_CONFIRMATION).join('\n') },
      overwrite,
      keep,
    );
    if (!choice) return;
    force = choice === overwrite;
  }
  const outcome = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Reverting run "{0}"…', entry.record.workflow) }, () => revertRun(root, entry.record.checkpoint!, { force }));
  await recordSecurityEvent(features, { event: 'agent_delegation', action: `revert run ${entry.record.id}`, target: entry.record.id, details: { restored: outcome.restored.length, removed: outcome.removed.length, skipped: outcome.skipped.length, force } }, entry.folder);
  const done = outcome.restored.length + outcome.removed.length;
  if (!outcome.skipped.length) {
    void vscode.window.showInformationMessage(done === 1 ? vscode.l10n.t('Reverted 1 file.') : vscode.l10n.t('Reverted {0} files.', done));
    return;
  }
  const reasons = outcome.skipped.map((s) => `${s.path}: ${s.reason}`).slice(0, LISTED_IN_CONFIRMATION).join('\n');
  void vscode.window.showWarningMessage(vscode.l10n.t('Reverted {0} of {1} files; left alone: {2}', done, plan.length, reasons));
}

/** The files, one a line, marked when added, deleted or changed since the run. */
function confirmationDetail(plan: readonly RevertItem[]): string {
  const lines = plan.slice(0, LISTED_IN_CONFIRMATION).map(({ file, state }) => `${changeWord(file)} ${file.path}${state === 'changed_since' ? ` ${vscode.l10n.t('(changed since the run)')}` : ''}`);
  if (plan.length > LISTED_IN_CONFIRMATION) lines.push(vscode.l10n.t('…and {0} more', plan.length - LISTED_IN_CONFIRMATION));
  lines.push('', vscode.l10n.t('Files the run created are deleted; the others get their content from before the run. No other file is touched.'));
  return lines.join('\n');
}

function changeWord(file: ChangedFile): string {
  return file.change === 'added' ? vscode.l10n.t('created') : file.change === 'deleted' ? vscode.l10n.t('deleted') : vscode.l10n.t('modified');
}

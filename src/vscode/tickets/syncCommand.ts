import * as vscode from 'vscode';
import { GITHUB_API_URL, GitHubClient } from '../../core/sync/githubClient';
import { parseRepo, syncGitHubIssues, type SyncItem, type SyncReport } from '../../core/sync/githubSync';
import { syncReportText, syncSummary } from '../../core/sync/reportText';
import { SyncStateFile } from '../../core/sync/syncState';
import { resolveGitHubTarget } from '../../core/sync/syncTarget';
import { registerCommand } from '../commands';
import type { FeatureContext } from '../featureContext';
import { recordSecurityEvent } from '../security/securityEvents';
import type { TicketStore } from './ticketStore';

export const SYNC_GITHUB_COMMAND = 'claudePm.tickets.syncGitHub';
const REPO_KEY = 'claudePm.tickets.github.lastRepository';

/** "Sync with GitHub Issues": the folder's tickets against its repository's issues, with the editor's GitHub sign-in. */
export function registerSyncCommand(features: FeatureContext, store: TicketStore): void {
  registerCommand(
    features,
    SYNC_GITHUB_COMMAND,
    async (target?: unknown) => {
      const folder = await features.sessions.resolveFolder(target, vscode.l10n.t('Sync the tickets of which folder?'));
      if (!folder) return;
      const session = await features.sessions.get(folder);
      const repo = session.settings.github.repository ?? session.config.file.sync?.github?.repo ?? (await askRepository(features, folder));
      if (!repo) return;
      const github = resolveGitHubTarget({ repo, baseUrl: session.settings.github.baseUrl, milestoneAsEpic: session.settings.github.milestonesAsEpics, config: session.config, env: process.env });
      // GitHub Enterprise Server signs in through its own provider (github-api.md §4).
      const provider = github.baseUrl === GITHUB_API_URL ? 'github' : 'github-enterprise';
      const auth = await vscode.authentication.getSession(provider, ['repo'], { createIfNone: true });
      const entry = await store.get(folder);
      const report = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Syncing tickets with the GitHub issues of {0}', github.repo) },
        async (progress) => {
          const client = new GitHubClient({ baseUrl: github.baseUrl, token: auth.accessToken, onWait: (ms, reason) => progress.report({ message: vscode.l10n.t("waiting {0} s for GitHub's {1}", Math.ceil(ms / 1000), reason) }) });
          try {
            return await syncGitHubIssues(entry.tracker, client, await SyncStateFile.load(folder.uri.fsPath), { repo: github.repo, milestoneAsEpic: github.milestoneAsEpic, onProgress: (message) => progress.report({ message }) });
          } finally {
            await client.close();
            store.notifyChanged(entry);
          }
        },
      );
      session.logger.info(syncReportText(report, (path) => vscode.workspace.asRelativePath(path)));
      await recordSecurityEvent(features, { event: 'ticket_sync', action: `sync GitHub issues of ${report.repo}`, target: github.baseUrl, details: { ...report.counts } }, folder);
      await showResult(report);
    },
    { permission: 'ticket.write' },
  );
}

async function askRepository(features: FeatureContext, folder: vscode.WorkspaceFolder): Promise<string | undefined> {
  const remembered = features.extension.workspaceState.get<Record<string, string>>(REPO_KEY) ?? {};
  const repo = await vscode.window.showInputBox({
    title: vscode.l10n.t('GitHub repository to sync with'),
    prompt: vscode.l10n.t('OWNER/NAME. Set claudePm.tickets.github.repository to skip this question.'),
    value: Object.hasOwn(remembered, folder.uri.toString()) ? remembered[folder.uri.toString()] : '',
    validateInput: (value) => {
      try {
        parseRepo(value);
        return undefined;
      } catch (error) {
        return (error as Error).message;
      }
    },
  });
  if (repo) await features.extension.workspaceState.update(REPO_KEY, { ...remembered, [folder.uri.toString()]: repo.trim() });
  return repo?.trim();
}

async function showResult(report: SyncReport): Promise<void> {
  const conflicts = report.items.filter((i) => i.action === 'conflict' || i.action === 'error');
  if (!conflicts.length) {
    void vscode.window.showInformationMessage(syncSummary(report));
    return;
  }
  const open = vscode.l10n.t('Open Conflicts');
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t('{0}. Conflicts are left as they are on both sides: make the ticket and the issue agree, then sync again.', syncSummary(report)),
    open,
    vscode.l10n.t('Show Log'),
  );
  if (choice === open) await pickConflict(conflicts);
  else if (choice) await vscode.commands.executeCommand('claudePm.showLog');
}

async function pickConflict(items: SyncItem[]): Promise<void> {
  const picked = await vscode.window.showQuickPick(
    items.map((item) => ({ label: `${item.ticket ?? `#${item.number}`} ${item.title}`, description: `#${item.number}`, detail: item.details.join('; '), item })),
    { title: vscode.l10n.t('Tickets in conflict with their GitHub issue'), placeHolder: vscode.l10n.t('Open the ticket (its issue opens beside it)'), matchOnDetail: true },
  );
  if (!picked) return;
  if (picked.item.path) await vscode.window.showTextDocument(vscode.Uri.file(picked.item.path), { preview: false });
  if (picked.item.url?.startsWith('https://')) await vscode.env.openExternal(vscode.Uri.parse(picked.item.url));
}

import * as vscode from 'vscode';
import { describeDatabaseUrl, withDatabase } from '../../core/database/connection';
import { migrate, schemaState, schemaStatus, type SchemaStatus } from '../../core/database/migrations';
import type { FolderSession } from '../common/folderSession';
import { ReadOnlyDocuments } from '../common/readOnlyDocuments';
import type { FeatureContext } from '../featureContext';

/**
 * Offers to migrate the team database when its schema is behind this extension: once per editor session and
 * database, only in trusted workspaces, and only when the user presses Migrate. The migration is the one
 * `claude-pm db migrate` runs (one transaction under an advisory lock), so an editor and a CLI can race safely.
 * A schema newer than this extension knows is reported once too: only an update of the extension helps there.
 */
export class TeamSchemaOffer implements vscode.Disposable {
  /** Databases (as shown, without the password) already offered in this session. */
  private readonly offered = new Set<string>();
  private readonly documents = new ReadOnlyDocuments('claude-pm-database');

  constructor(private readonly features: FeatureContext) {}

  /** Checks the folder's team database, when it uses one, and offers the migration if its schema is behind. */
  async check(session: FolderSession): Promise<void> {
    if (session.config.memory.backend !== 'postgres' || !vscode.workspace.isTrusted) return;
    const url = await session.keys.databaseUrl();
    if (!url) return;
    const database = describeDatabaseUrl(url);
    if (this.offered.has(database)) return;
    // Unreachable or refused: the memory status already says the database is offline.
    const status = await withDatabase(url, schemaStatus).catch((error: unknown) => session.logger.warn(`team database schema check failed: ${(error as Error).message}`));
    const state = status && schemaState(status);
    if (!status || state === 'current' || this.offered.has(database)) return;
    this.offered.add(database);
    if (state === 'behind') await this.offer(session, url, status);
    else {
      void vscode.window.showWarningMessage(
        vscode.l10n.t('The team database schema (version {0}) is newer than this version of Claude PM knows ({1}). Update the extension; until then memory may fail on what it does not know.', status.current, status.latest),
      );
    }
  }

  private async offer(session: FolderSession, url: string, status: SchemaStatus): Promise<void> {
    const migrateNow = vscode.l10n.t('Migrate');
    const showStatus = vscode.l10n.t('Show Status');
    const notNow = vscode.l10n.t('Not now');
    const choice = await vscode.window.showWarningMessage(vscode.l10n.t('The team database schema is behind (version {0}, needs {1}). Migrate now?', status.current, status.latest), migrateNow, showStatus, notNow);
    if (choice === showStatus) {
      const uri = this.documents.show(`/${describeDatabaseUrl(url).replace(/[/:]/g, '_')} schema.md`, statusMarkdown(describeDatabaseUrl(url), status));
      await vscode.commands.executeCommand('markdown.showPreview', uri);
      const again = await vscode.window.showWarningMessage(vscode.l10n.t('Apply the pending migrations to {0} now?', describeDatabaseUrl(url)), migrateNow, notNow);
      if (again === migrateNow) await this.migrate(session, url);
    } else if (choice === migrateNow) await this.migrate(session, url);
  }

  private async migrate(session: FolderSession, url: string): Promise<void> {
    if (!this.features.requireTrust(vscode.l10n.t('Migrating the team database'))) return;
    const allowed = await this.features.sessions.runFor(session.folder, () => this.features.authorize('system.configure', 'db migrate', describeDatabaseUrl(url)));
    if (!allowed) return;
    try {
      const { applied, status } = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Migrating the team database {0}…', describeDatabaseUrl(url)) }, () =>
        withDatabase(url, (pool) => migrate(pool)),
      );
      session.logger.info(`team database ${describeDatabaseUrl(url)}: applied ${applied.join(', ') || 'nothing'}; schema version ${status.current}`);
      void vscode.window.showInformationMessage(
        applied.length
          ? vscode.l10n.t('The team database schema is now at version {0}.', status.current)
          : vscode.l10n.t('Someone else migrated the team database already; its schema is at version {0}.', status.current),
      );
    } catch (error) {
      session.logger.error('team database migration failed:', error as Error);
      void vscode.window.showErrorMessage(vscode.l10n.t('The team database migration failed and changed nothing: {0}', (error as Error).message));
    }
  }

  dispose(): void {
    this.documents.dispose();
  }
}

function statusMarkdown(database: string, status: SchemaStatus): string {
  return [
    `# Team database ${database}`,
    '',
    `- Schema version: ${status.current}`,
    `- This extension needs: ${status.latest}`,
    '',
    '## Pending migrations',
    '',
    ...status.pending.map((m) => `- ${m.version}: ${m.name}`),
    '',
    'Every pending migration is applied in one transaction: it succeeds entirely or changes nothing. `claude-pm db migrate` does the same from a terminal.',
    '',
  ].join('\n');
}

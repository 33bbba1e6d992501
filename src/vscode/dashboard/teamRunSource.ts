import * as vscode from 'vscode';
import type { Logger } from '../../core/common/logger';
import type { RunSource } from '../../core/orchestration/runSource';
import { TeamRunSource } from '../../core/orchestration/teamRunSource';
import type { FolderSessions } from '../common/folderSession';

// Teammates' runs arrive in bursts (a replayed outbox): the dashboard redraws at most this often.
const REDRAW_MS = 250;

/**
 * The dashboard's runs: the team database's, with every teammate's runs as they commit, when the first folder's
 * memory backend is the team database; this workspace's history otherwise, or while the database cannot answer.
 */
export class DashboardRunSource implements RunSource, vscode.Disposable {
  private team: { url: string; source: TeamRunSource; stop: () => void } | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  private redraw: NodeJS.Timeout | undefined;
  /** A teammate's run was recorded. */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly sessions: FolderSessions,
    private readonly local: RunSource,
    private readonly logger: Logger,
  ) {}

  recentRuns(limit: number): ReturnType<RunSource['recentRuns']> {
    return this.read((source) => source.recentRuns(limit));
  }

  dailyCosts(sinceDay: string): ReturnType<RunSource['dailyCosts']> {
    return this.read((source) => source.dailyCosts(sinceDay));
  }

  private async read<T>(query: (source: RunSource) => Promise<T>): Promise<T> {
    const team = await this.teamSource().catch(() => undefined);
    if (!team) return query(this.local);
    try {
      return await query(team);
    } catch (error) {
      this.logger.warn(`the dashboard shows this workspace's runs: the team database did not answer (${(error as Error).message})`);
      return query(this.local);
    }
  }

  private async teamSource(): Promise<RunSource | undefined> {
    const folder = this.sessions.folders()[0];
    // Restricted Mode: no connection made on the workspace's say-so.
    const session = folder && vscode.workspace.isTrusted ? await this.sessions.get(folder) : undefined;
    const url = session?.config.memory.backend === 'postgres' ? await session.keys.databaseUrl() : undefined;
    if (this.team && this.team.url !== url) this.closeTeam();
    if (!url) return undefined;
    if (!this.team) {
      const source = new TeamRunSource(url, { onError: (message) => this.logger.debug(`team database: ${message}`) });
      const stop = source.onDidChange(() => {
        this.redraw ??= setTimeout(() => {
          this.redraw = undefined;
          this.changed.fire();
        }, REDRAW_MS);
      });
      this.team = { url, source, stop };
    }
    return this.team.source;
  }

  private closeTeam(): void {
    const team = this.team;
    this.team = undefined;
    team?.stop();
    void team?.source.dispose();
  }

  dispose(): void {
    if (this.redraw) clearTimeout(this.redraw);
    this.closeTeam();
    this.changed.dispose();
  }
}

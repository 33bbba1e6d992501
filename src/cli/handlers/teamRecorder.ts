import type { ResolvedConfig } from '../../core/config/loadConfig';
import { databaseUrlFrom } from '../../core/database/connection';
import { TeamRunRecorder } from '../../core/orchestration/teamRuns';
import type { CliContext } from '../framework';

/**
 * With the team database as the memory backend and its URL in the environment, finished runs go there too. The
 * recorder first sends what earlier runs left queued.
 */
export function teamRunRecorder(ctx: CliContext, config: ResolvedConfig): TeamRunRecorder | undefined {
  const url = config.memory.backend === 'postgres' ? databaseUrlFrom(ctx.env) : undefined;
  return url ? new TeamRunRecorder(url, ctx.cwd, { logger: ctx.logger }) : undefined;
}

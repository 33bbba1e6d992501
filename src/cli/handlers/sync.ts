import { relative } from 'node:path';
import { GitHubClient } from '../../core/sync/githubClient';
import { syncGitHubIssues } from '../../core/sync/githubSync';
import { syncReportText } from '../../core/sync/reportText';
import { SyncStateFile } from '../../core/sync/syncState';
import { resolveGitHubTarget, SyncTargetError } from '../../core/sync/syncTarget';
import { UsageError, type CliHandler, type CliHandlers } from '../framework';
import { secondsOption } from '../secondsOption';
import { openTracker } from './tickets';

export const TOKEN_VARIABLE = 'GITHUB_TOKEN';
const DEFAULT_MAX_WAIT_SECONDS = 300;

const syncGithub: CliHandler = async (ctx, values) => {
  const prefer = values.prefer;
  if (prefer !== undefined && prefer !== 'github' && prefer !== 'local') throw new UsageError(`--prefer must be github or local, not '${String(prefer)}'`);
  const maxWaitSeconds = secondsOption(values['max-wait'], '--max-wait') ?? DEFAULT_MAX_WAIT_SECONDS;
  let target;
  try {
    target = resolveGitHubTarget({
      repo: typeof values.repo === 'string' ? values.repo : undefined,
      baseUrl: typeof values['base-url'] === 'string' ? values['base-url'] : undefined,
      milestoneAsEpic: values['milestones-as-epics'] === true ? true : undefined,
      config: await ctx.config(),
      env: ctx.env,
    });
  } catch (error) {
    if (error instanceof SyncTargetError) throw new UsageError(error.message);
    throw error;
  }
  const token = ctx.env[TOKEN_VARIABLE];
  if (!token) throw new Error(`set ${TOKEN_VARIABLE} to a GitHub token that may read and write the issues of ${target.repo} (a fine-grained token with Issues: read and write, or a classic one with the repo scope)`);
  const tracker = await openTracker(ctx, values);
  const client = new GitHubClient({
    baseUrl: target.baseUrl,
    token,
    maxWaitMs: maxWaitSeconds * 1000,
    onWait: (ms, reason) => ctx.logger.info(`waiting ${Math.ceil(ms / 1000)} s: GitHub's ${reason}`),
  });
  const dryRun = values['dry-run'] === true;
  let report;
  try {
    report = await syncGitHubIssues(tracker, client, await SyncStateFile.load(ctx.cwd), {
      repo: target.repo,
      dryRun,
      milestoneAsEpic: target.milestoneAsEpic,
      ...(prefer ? { prefer } : {}),
      onProgress: (message) => ctx.logger.debug(message),
    });
  } finally {
    await client.close();
  }
  if (!dryRun) await ctx.audit({ event: 'ticket_sync', action: `sync GitHub issues of ${report.repo}`, target: target.baseUrl, details: { ...report.counts, ...(prefer ? { prefer } : {}) } });
  const root = tracker.location.root;
  ctx.print(
    { ...report, items: report.items.map((item) => ({ ...item, ...(item.path ? { path: relative(root, item.path) } : {}) })) },
    () => syncReportText(report, (path) => relative(ctx.dir, path)),
  );
  return report.counts.conflict || report.counts.error ? 1 : 0;
};

export const syncHandlers = { syncGithub } satisfies CliHandlers;

import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../core/common/atomicFile';
import type { ResolvedConfig } from '../../core/config/loadConfig';
import { runDiagnostics } from '../../core/health/diagnostics';
import { formatAlertsText, formatDiagnosticsText, formatHealthText, formatMonitorText, formatReportsText } from '../../core/health/formatText';
import { FRAMEWORK_CHECKS } from '../../core/health/frameworkChecks';
import { optionsFromConfig, runHealthCheck } from '../../core/health/healthCheck';
import { runMonitor } from '../../core/health/monitorRun';
import type { HealthReport } from '../../core/health/reportSchema';
import { alertsSince, foldRepeats, newestReports } from '../../core/health/alertLog';
import { ALERTS_FILE, hasFrameworkFolder, loadAlerts, loadHistory, MAX_HISTORY, REPORT_FILE, saveReport } from '../../core/health/reportStore';
import { parseDurationText } from '../../core/common/duration';
import { workspaceCounts, workspaceDiagnosticSources } from '../../core/health/workspaceSources';
import { redactValue } from '../../core/common/redact';
import { UsageError, type CliHandlers, type CliContext } from '../framework';
import { secondsOption } from '../secondsOption';

/** One full check of the workspace; the report is also kept in `.claude-pm/logs` when that folder exists. */
async function checkWorkspace(ctx: CliContext, config: ResolvedConfig): Promise<HealthReport> {
  const report = await runHealthCheck({ ...(await optionsFromConfig(config, [], FRAMEWORK_CHECKS)), counts: await workspaceCounts(ctx.cwd, ctx.env) });
  if (await hasFrameworkFolder(ctx.cwd)) {
    await saveReport(ctx.cwd, report).catch((error: unknown) => ctx.logger.warn(`could not save the health report: ${(error as Error).message}`));
  }
  return report;
}

async function writeOutput(ctx: CliContext, output: unknown, value: unknown): Promise<void> {
  if (typeof output !== 'string') return;
  const path = await ctx.outputPath(output);
  await writeJsonAtomic(path, redactValue(value));
  ctx.logger.info(`wrote ${path}`);
}

const DEFAULT_SINCE = '24h';
const DEFAULT_REPORTS = 20;

function sinceOption(value: unknown, now: Date): Date {
  const text = typeof value === 'string' ? value : DEFAULT_SINCE;
  const ms = parseDurationText(text);
  if (ms === undefined) throw new UsageError(`--since takes a duration such as 30m, 1h, 2d or 1w, not '${text}'`);
  return new Date(now.getTime() - ms);
}

function limitOption(value: unknown): number {
  if (value === undefined) return DEFAULT_REPORTS;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_HISTORY) throw new UsageError(`--limit must be a whole number from 1 to ${MAX_HISTORY}, not '${String(value)}'`);
  return n;
}

export const healthHandlers = {
  health: async (ctx, values) => {
    const report = await checkWorkspace(ctx, await ctx.config());
    await writeOutput(ctx, values.output, report);
    ctx.print(redactValue(report), () => formatHealthText(report));
    return report.summary.status === 'healthy' ? 0 : 1;
  },
  monitor: async (ctx, values) => {
    // --duration 0 monitors until SIGTERM or SIGINT (a service), rewriting --output after every sample.
    const untilStopped = values.duration === '0';
    const duration = untilStopped ? Infinity : secondsOption(values.duration, '--duration');
    if (duration === undefined) throw new UsageError('missing --duration SECONDS (0: until stopped)');
    const interval = secondsOption(values.interval, '--interval') ?? Math.min(60, duration);
    const config = await ctx.config();
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    let report;
    try {
      report = await runMonitor({
        durationMs: duration * 1000,
        intervalMs: interval * 1000,
        signal: stop.signal,
        check: () => checkWorkspace(ctx, config),
        onSample: async (s, soFar) => {
          ctx.logger.info(`${s.timestamp} health ${s.overall_health_percentage}% (${s.status})`);
          if (untilStopped) await writeOutput(ctx, values.output, soFar());
        },
      });
    } finally {
      process.removeListener('SIGTERM', onSignal);
      process.removeListener('SIGINT', onSignal);
    }
    await writeOutput(ctx, values.output, report);
    ctx.print(report, () => formatMonitorText(report));
    return report.summary.worst_status === 'healthy' ? 0 : 1;
  },
  alerts: async (ctx, values) => {
    const since = sinceOption(values.since, new Date());
    const alerts = alertsSince(await loadAlerts(ctx.cwd), since);
    const folded = foldRepeats(alerts);
    ctx.print({ since: since.toISOString(), file: join(ctx.cwd, ALERTS_FILE), count: alerts.length, alerts, repeated: folded }, () => formatAlertsText(folded, since, alerts.length));
    return 0;
  },
  reports: async (ctx, values) => {
    const limit = limitOption(values.limit);
    const history = await loadHistory(ctx.cwd);
    const latest = join(ctx.cwd, REPORT_FILE);
    const hasLatest = await stat(latest).then((s) => s.isFile(), () => false);
    const reports = newestReports(history, limit);
    ctx.print({ latest_report: hasLatest ? latest : null, total: history.length, reports }, () => formatReportsText(reports, history.length, hasLatest ? latest : undefined));
    return 0;
  },
  diagnose: async (ctx) => {
    const config = await ctx.config();
    const apiKey = config.memory.backend === 'mem0-platform' ? ctx.env.MEM0_API_KEY : ctx.env.MEM0AI_API_KEY;
    const report = await runDiagnostics({ config, apiKey: apiKey || undefined, env: ctx.env, ...workspaceDiagnosticSources(ctx.cwd, ctx.env) });
    ctx.print(redactValue(report, apiKey ? [apiKey] : []), () => formatDiagnosticsText(report));
    return report.ok ? 0 : 1;
  },
} satisfies CliHandlers;

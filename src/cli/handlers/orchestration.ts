import { formatDuration } from '../../core/common/duration';
import { resolve } from 'node:path';
import { formatDiagnostic } from '../../core/config/diagnostics';
import type { RunnerKind } from '../../core/agents/createAgentRunner';
import { createMemoryService } from '../../core/memory/openMemory';
import { memoryOptionsFromEnv } from './memoryKey';
import { teamRunRecorder } from './teamRecorder';
import { formatLogLine } from '../../core/orchestration/engine';
import { runMemoryFrom } from '../../core/orchestration/memoryBridge';
import { runSucceeded, statusWords, type RunRecord } from '../../core/orchestration/runRecord';
import { RunStore } from '../../core/orchestration/runStore';
import { costBreakdown, type CostTotal } from '../../core/orchestration/runCosts';
import { TeamRunSource, type TeamCosts } from '../../core/orchestration/teamRunSource';
import { describeDatabaseUrl } from '../../core/database/connection';
import { findWorkflowByName, loadWorkflowFile, resolveWorkflow, WorkflowError } from '../../core/orchestration/workflowFile';
import { createWorkflowEngine, defaultWorkflowContext, parseContextPairs, runSummary } from '../../core/orchestration/workflowSetup';
import { selfToolServer } from '../selfCommand';
import { requireArg, UsageError, type CliContext, type CliHandler, type CliHandlers } from '../framework';
import { withTeamDatabase } from './database';
import { onTermination } from '../signals';
import { findRepository } from '../../core/agents/worktreeIsolation';
import { diffStatText } from '../../core/orchestration/runBranches';

const run: CliHandler = async (ctx, values, positionals) => {
  const file = ctx.inputPath(requireArg(positionals, 0, 'FILE'));
  if (values.runner !== undefined && values.runner !== 'claude' && values.runner !== 'command') throw new UsageError(`--runner must be claude or command, not '${String(values.runner)}'`);
  let given: Record<string, unknown>;
  try {
    given = parseContextPairs((values.context as string[] | undefined) ?? []);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const config = await ctx.config();
  const context = { ...(await defaultWorkflowContext(ctx.cwd, config, ctx.env)), ...given };
  let resolved;
  try {
    resolved = await resolveWorkflow(file, context);
  } catch (error) {
    if (!(error instanceof WorkflowError)) throw error;
    for (const d of error.diagnostics) ctx.logger.error(formatDiagnostic(d));
    throw error;
  }
  // Isolated steps need a repository with a commit: said before any step starts.
  if (resolved.steps.some((s) => s.isolation === 'worktree')) await findRepository(ctx.cwd);
  const memory = values['skip-memory'] ? undefined : createMemoryService(config, { logger: ctx.logger, ...memoryOptionsFromEnv(config, ctx.env) });
  const finishedRuns = teamRunRecorder(ctx, config);
  const { engine, store } = await createWorkflowEngine({
    root: ctx.cwd,
    config,
    env: ctx.env,
    logger: ctx.logger,
    runner: values.runner as RunnerKind | undefined,
    toolServer: selfToolServer(ctx.env),
    memory: memory && runMemoryFrom(memory),
    finishedRuns,
    events: { onLog: (line) => ctx.logger.info(formatLogLine(line)) },
  });
  const interrupted = await store.markInterrupted();
  if (interrupted.length) ctx.logger.warn(`marked ${interrupted.length} orphaned run(s) as interrupted: ${interrupted.join(', ')}`);
  const handle = engine.start({ workflow: resolved.workflow, steps: resolved.steps, file: resolved.file, context, selectedVia: resolved.selectedVia });
  const stopHandling = onTermination((signal) => {
    ctx.logger.warn(`${signal}: cancelling the run…`);
    handle.cancel();
  });
  let record: RunRecord;
  try {
    record = await handle.done;
  } finally {
    stopHandling();
    await memory?.dispose();
    await finishedRuns?.dispose();
  }
  await ctx.audit({ event: 'workflow_run', action: `run workflow ${record.workflow}`, target: record.file ?? file, details: { run: record.id, outcome: record.status, steps: record.steps.length, failed: record.steps.filter((s) => s.status === 'failed').map((s) => s.name) } });
  ctx.print(runSummary(record), () => renderRun(record, store));
  return runSucceeded(record) ? 0 : 1;
};

function renderRun(run: RunRecord, store: RunStore): string {
  const accepted = run.status === 'completed_with_failures' && run.failuresAccepted ? ', failures accepted' : '';
  const lines = [`${run.workflow}: ${statusWords(run.status)}${accepted}${run.error ? ` (${run.error})` : ''} in ${formatDuration(run.durationMs ?? 0)}, run ${run.id}`];
  for (const s of run.selectedVia ?? []) lines.push(`  selected by ${s.workflow}: ${s.selected}`);
  for (const step of run.steps) {
    const took = step.durationMs === undefined ? '' : ` ${formatDuration(step.durationMs)}`;
    lines.push(`  ${statusMark(step.status)} ${step.name.padEnd(24)} ${statusWords(step.status)}${took}${step.attempts > 1 ? `, ${step.attempts} attempts` : ''}${step.error ? `: ${step.error}` : ''}`);
    if (step.isolation) lines.push(`    ${step.isolation.branch}: ${diffStatText(step.isolation)}`);
  }
  for (const alert of run.alerts) lines.push(`  alert: ${alert.message}`);
  if (run.steps.some((s) => s.isolation)) lines.push(`review, apply or discard the branches: claude-pm runs diff|apply|discard ${run.id}`);
  lines.push(`log: ${store.logPath(run.id)}`);
  return lines.join('\n');
}

function statusMark(status: string): string {
  return status === 'succeeded' ? '✓' : status === 'skipped' ? '-' : status === 'cancelled' ? '○' : '✗';
}

const validate: CliHandler = async (ctx, _values, positionals) => {
  const file = ctx.inputPath(requireArg(positionals, 0, 'FILE'));
  const parsed = await loadWorkflowFile(file);
  const diagnostics = [...parsed.diagnostics];
  const workflow = parsed.workflow;
  if (workflow?.type === 'conditional') {
    for (const name of [...(workflow.conditions ?? []).map((c) => c.workflow), ...(workflow.default_workflow ? [workflow.default_workflow] : [])]) {
      await findWorkflowByName(resolve(file, '..'), name).catch((error: Error) => diagnostics.push({ file, message: error.message, severity: 'error' }));
    }
  }
  const valid = diagnostics.length === 0;
  ctx.print(
    {
      file,
      valid,
      name: workflow?.name ?? null,
      type: workflow?.type ?? null,
      steps: parsed.steps.map((s) => ({ name: s.name, agentType: s.agentType, dependsOn: s.dependsOn })),
      diagnostics,
    },
    () => (valid ? `${file}: valid ${workflow!.type} workflow '${workflow!.name}'${parsed.steps.length ? ` with ${parsed.steps.length} step(s)` : ''}` : diagnostics.map(formatDiagnostic).join('\n')),
  );
  return valid ? 0 : 1;
};

const runs: CliHandler = async (ctx, values) => {
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive whole number');
  if (values.team) return teamRuns(ctx, limit);
  const { runs: all, diagnostics } = await new RunStore(ctx.cwd).list();
  for (const d of diagnostics) ctx.logger.warn(formatDiagnostic(d));
  const shown = all.slice(0, limit);
  ctx.print({ runs: shown.map(runSummary) }, () =>
    shown.length ? shown.map((r) => `${r.id}  ${statusWords(r.status).padEnd(23)} ${r.workflow}  ${r.steps.filter((s) => s.status === 'succeeded').length}/${r.steps.length} steps`).join('\n') : 'No workflow runs recorded yet.',
  );
  return 0;
};

/** The team's newest runs from the team database, every teammate's. */
function teamRuns(ctx: CliContext, limit: number): Promise<number> {
  return withTeamDatabase(ctx, async (pool, url) => {
    const shown = await new TeamRunSource(url, { pool }).recentRuns(limit);
    ctx.print({ database: describeDatabaseUrl(url), runs: shown }, () =>
      shown.length
        ? shown.map((r) => `${r.id}  ${statusWords(r.status).padEnd(23)} ${r.title}  ${r.user}  $${(r.costUsd ?? 0).toFixed(4)}`).join('\n')
        : `No runs recorded in the team database ${describeDatabaseUrl(url)} yet.`,
    );
    return 0;
  });
}

const costs: CliHandler = async (ctx, values) => {
  const days = values.days === undefined ? 30 : Number(values.days);
  if (!Number.isInteger(days) || days < 1) throw new UsageError('--days must be a positive whole number');
  const since = new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
  if (values.team) {
    return withTeamDatabase(ctx, async (pool, url) => {
      const breakdown = await new TeamRunSource(url, { pool }).costs(since);
      ctx.print({ since, database: describeDatabaseUrl(url), ...breakdown }, () => renderCosts(breakdown, days, `the team database ${describeDatabaseUrl(url)}`));
      return 0;
    });
  }
  const { runs: all, diagnostics } = await new RunStore(ctx.cwd).list();
  for (const d of diagnostics) ctx.logger.warn(formatDiagnostic(d));
  const breakdown = costBreakdown(all, since);
  ctx.print({ since, ...breakdown }, () => renderCosts(breakdown, days));
  return 0;
};

function renderCosts(breakdown: Omit<TeamCosts, 'byUser'> & Partial<Pick<TeamCosts, 'byUser'>>, days: number, where?: string): string {
  const { total } = breakdown;
  if (!total.agentRuns) return `No agent spend recorded${where ? ` in ${where}` : ''} in the last ${days} days.`;
  const tokens = (t: CostTotal) => `${(t.usage.input_tokens + t.usage.cache_read_input_tokens + t.usage.cache_creation_input_tokens).toLocaleString('en')} in / ${t.usage.output_tokens.toLocaleString('en')} out`;
  const row = (label: string, t: CostTotal) => `  ${label.padEnd(24)} $${t.costUsd.toFixed(4).padStart(10)}  ${tokens(t)}, ${t.toolCalls} tool calls`;
  return [
    `Last ${days} days${where ? ` in ${where}` : ''}: $${total.costUsd.toFixed(4)} over ${total.agentRuns} agent ${total.agentRuns === 1 ? 'run' : 'runs'} (${tokens(total)})`,
    'By agent type:',
    ...breakdown.byAgentType.map((t) => row(t.agentType, t)),
    ...(breakdown.byUser ? ['By user:', ...breakdown.byUser.map((t) => row(t.user, t))] : []),
    'By day:',
    ...breakdown.byDay.map((t) => row(t.day, t)),
  ].join('\n');
}

export const orchestrationHandlers = { workflowRun: run, workflowValidate: validate, workflowRuns: runs, workflowCosts: costs } satisfies CliHandlers;

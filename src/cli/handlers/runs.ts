import { completeCheckpoint } from '../../core/agents/checkpoint';
import { createAgentRunner, runnerSettingsFromConfig } from '../../core/agents/createAgentRunner';
import { formatRunEvent, summarizeRun } from '../../core/agents/runLog';
import { planRevert, revertRun } from '../../core/agents/revertRun';
import { redact, redactValue } from '../../core/common/redact';
import { isRunId } from '../../core/common/runId';
import { continueRun } from '../../core/orchestration/continueRun';
import type { RunRecord } from '../../core/orchestration/runRecord';
import { spendSummary } from '../../core/orchestration/runSpend';
import { RunStore } from '../../core/orchestration/runStore';
import { requireArg, UsageError, type CliContext, type CliHandler, type CliHandlers } from '../framework';
import { secondsOption } from '../secondsOption';
import { selfToolServer } from '../selfCommand';
import { onTermination } from '../signals';
import { loadCatalog } from './agents';

/** The run a user named on the command line, from the workspace's run history. */
export async function loadRun(ctx: CliContext, id: string): Promise<{ store: RunStore; record: RunRecord }> {
  if (!isRunId(id)) throw new UsageError(`'${id}' is not a run id (see claude-pm workflow runs)`);
  const store = new RunStore(ctx.cwd);
  const record = await store.load(id);
  if (!record) throw new UsageError(`no run ${id} in ${store.dir}`);
  return { store, record };
}

const changes: CliHandler = async (ctx, _values, positionals) => {
  const { record } = await loadRun(ctx, requireArg(positionals, 0, 'RUN'));
  completeCheckpoint(record.checkpoint);
  const plan = await planRevert(ctx.cwd, record.checkpoint!);
  const files = plan.map(({ file, state }) => ({ path: file.path, change: file.change, changedSinceRun: state === 'changed_since' }));
  ctx.print({ run: record.id, before: record.checkpoint!.before, after: record.checkpoint!.after, files }, () =>
    files.length
      ? files.map((f) => `${f.change.padEnd(9)} ${JSON.stringify(f.path).slice(1, -1)}${f.changedSinceRun ? '  (changed since the run)' : ''}`).join('\n')
      : `Run ${record.id} changed no files.`,
  );
  return 0;
};

const revert: CliHandler = async (ctx, values, positionals) => {
  const { record } = await loadRun(ctx, requireArg(positionals, 0, 'RUN'));
  if (record.status === 'running') throw new UsageError(`run ${record.id} is still running`);
  completeCheckpoint(record.checkpoint);
  const force = values.force === true;
  const outcome = await revertRun(ctx.cwd, record.checkpoint!, { force });
  await ctx.audit({ event: 'agent_delegation', action: `revert run ${record.id}`, target: record.id, details: { restored: outcome.restored.length, removed: outcome.removed.length, skipped: outcome.skipped.length, force } });
  ctx.print({ run: record.id, ...outcome }, () => {
    const lines = [`Run ${record.id}: ${outcome.restored.length} restored, ${outcome.removed.length} removed, ${outcome.skipped.length} left alone.`];
    for (const s of outcome.skipped) lines.push(`  left alone: ${JSON.stringify(s.path).slice(1, -1)} (${s.reason})`);
    if (outcome.skipped.some((s) => s.reason === 'changed since the run ended')) lines.push('Run again with --force to overwrite the files changed since the run.');
    return lines.join('\n');
  });
  return outcome.skipped.length ? 1 : 0;
};

const resume: CliHandler = async (ctx, values, positionals) => {
  const { store, record } = await loadRun(ctx, requireArg(positionals, 0, 'RUN'));
  const message = positionals.slice(1).join(' ').trim();
  if (!message) throw new UsageError('missing MESSAGE');
  const timeoutS = secondsOption(values.timeout, '--timeout');
  const [config, catalog] = await Promise.all([ctx.config(), loadCatalog(ctx)]);
  const runner = createAgentRunner(runnerSettingsFromConfig(config, { env: ctx.env, toolServer: selfToolServer(ctx.env) }));
  const step = typeof values.step === 'string' ? values.step : undefined;
  const label = (step === undefined ? record.steps[0] : record.steps.find((s) => s.name === step))?.agentType ?? 'agent';
  const controller = new AbortController();
  const stopHandling = onTermination((signal) => {
    ctx.logger.warn(`${signal}: stopping the agent…`);
    controller.abort();
  });
  try {
    const { record: updated, result } = await continueRun({
      record,
      message,
      step,
      catalog,
      runner,
      cwd: ctx.cwd,
      timeoutMs: timeoutS !== undefined ? timeoutS * 1000 : config.orchestrator.agentTimeoutMs,
      signal: controller.signal,
      checkpointsKept: config.agents.checkpointsKept,
      onEvent: (event) => {
        for (const line of formatRunEvent(label, event)) ctx.logger.info(line);
      },
      onUpdate: async (r) => {
        await store.save(r);
        await store.flush(r.id);
      },
    });
    const turns = (step === undefined ? updated.continuations : updated.steps.find((s) => s.name === step)?.continuations)!;
    const turn = turns.at(-1)!;
    await ctx.audit({ event: 'agent_delegation', action: `continue run ${updated.id}${step === undefined ? '' : ` step ${step}`}`, target: message, details: { agent: label, outcome: turn.status } });
    for (const line of summarizeRun(label, result)) (result.status === 'succeeded' ? ctx.logger.info : ctx.logger.error)(line);
    ctx.print(redactValue({ run: updated.id, status: updated.status, turn, ...(step === undefined ? {} : { step }), turns: turns.length + 1, ...spendSummary(updated) }), () => redact(turn.outputTail || `(${turn.status})`));
    return result.status === 'succeeded' ? 0 : 1;
  } finally {
    stopHandling();
  }
};

export const runsHandlers = { runsChanges: changes, runsRevert: revert, runsContinue: resume } satisfies CliHandlers;

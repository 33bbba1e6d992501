import { relative } from 'node:path';
import { branchChanges, branchPatch } from '../../core/agents/isolatedBranches';
import { applyRunSteps, diffStatText, discardRunSteps, isolatedSteps } from '../../core/orchestration/runBranches';
import { requireArg, UsageError, type CliContext, type CliHandler, type CliHandlers, type Values } from '../framework';
import { loadRun } from './runs';

// `runs diff|apply|discard RUN [--step NAME]`: the branches isolated steps left, as the Runs view offers them.

async function target(ctx: CliContext, values: Values, positionals: string[], open: boolean) {
  const { store, record: run } = await loadRun(ctx, requireArg(positionals, 0, 'RUN'));
  try {
    return { store, run, steps: isolatedSteps(run, values.step === undefined ? undefined : String(values.step), open) };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

const diff: CliHandler = async (ctx, values, positionals) => {
  const { run, steps } = await target(ctx, values, positionals, false);
  const shown = await Promise.all(
    steps.map(async (s) => ({
      name: s.name,
      ...s.isolation,
      resolution: s.isolation.resolution ?? null,
      changes: await branchChanges(ctx.cwd, s.isolation),
      ...(values.patch ? { patch: await branchPatch(ctx.cwd, s.isolation) } : {}),
    })),
  );
  ctx.print({ run: run.id, steps: shown }, () =>
    shown
      .map((s) => {
        const head = `${s.name}: ${s.branch} from ${s.base.slice(0, 12)}, ${diffStatText(s)}${s.resolution ? ` (${s.resolution.action})` : ''}`;
        return [head, ...s.changes.map((c) => `  ${c.kind.replace('_', ' ').padEnd(12)} ${c.path}`), ...(s.patch ? [s.patch.trimEnd()] : [])].join('\n');
      })
      .join('\n\n'),
  );
  return 0;
};

const apply: CliHandler = async (ctx, values, positionals) => {
  const { store, run, steps } = await target(ctx, values, positionals, true);
  const { applied, conflicted } = await applyRunSteps(store, ctx.cwd, run, steps);
  await ctx.audit({ event: 'agent_delegation', action: `apply isolated branches of run ${run.id}`, target: run.id, details: { applied, ...(conflicted ? { conflicted: conflicted.step } : {}) } });
  const files = conflicted?.files.map((f) => relative(ctx.cwd, f)) ?? [];
  ctx.print({ run: run.id, applied, conflicted: conflicted ? { step: conflicted.step, files } : null }, () =>
    [
      ...applied.map((name) => `applied ${name}`),
      ...(conflicted ? [`${conflicted.step}: conflicts in ${files.join(', ')}. Resolve them and commit (or run \`git merge --abort\`), then apply the remaining steps with --step.`] : []),
    ].join('\n'),
  );
  return conflicted ? 1 : 0;
};

const discard: CliHandler = async (ctx, values, positionals) => {
  const { store, run, steps } = await target(ctx, values, positionals, true);
  const discarded = await discardRunSteps(store, ctx.cwd, run, steps);
  await ctx.audit({ event: 'agent_delegation', action: `discard isolated branches of run ${run.id}`, target: run.id, details: { discarded } });
  ctx.print({ run: run.id, discarded }, () => discarded.map((name) => `discarded ${name}`).join('\n'));
  return 0;
};

export const runBranchHandlers = { runsDiff: diff, runsApply: apply, runsDiscard: discard } satisfies CliHandlers;

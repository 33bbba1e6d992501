import { applyBranch, branchExists, discardBranch, type ApplyOutcome } from '../agents/isolatedBranches';
import type { RunRecord, StepIsolation, StepRecord } from './runRecord';
import type { RunStore } from './runStore';

// The isolated steps of a recorded run and what the user does with their branches (apply, discard), shared by the
// CLI (`runs diff|apply|discard`) and the Runs view, which record the outcome in the run so it shows once.

export type IsolatedStep = StepRecord & { isolation: StepIsolation };

/** `2 files changed, +10 −3` or `no changes`. */
export function diffStatText(isolation: Pick<StepIsolation, 'diffStat'>): string {
  const { files, insertions, deletions } = isolation.diffStat;
  if (files === 0) return 'no changes';
  return `${files} ${files === 1 ? 'file' : 'files'} changed, +${insertions} −${deletions}`;
}

/**
 * The run's isolated steps, or the one named `step`; throws when the run has none, or no isolated step of that name.
 * `open` keeps only branches neither applied nor discarded yet.
 */
export function isolatedSteps(run: RunRecord, step?: string, open = false): IsolatedStep[] {
  const all = run.steps.filter((s): s is IsolatedStep => s.isolation !== undefined);
  if (!all.length) throw new Error(`run ${run.id} ran no step in an isolated worktree`);
  if (step !== undefined) {
    const named = all.filter((s) => s.name === step);
    if (!named.length) throw new Error(`run ${run.id} has no isolated step '${step}'; isolated steps: ${all.map((s) => s.name).join(', ')}`);
    return named;
  }
  const shown = open ? all.filter((s) => !s.isolation.resolution) : all;
  if (!shown.length) throw new Error(`every isolated step of run ${run.id} was already applied or discarded`);
  return shown;
}

/** Merges the steps' branches into the current branch one by one, stopping at the first with conflicts. */
export async function applyRunSteps(store: RunStore, cwd: string, run: RunRecord, steps: readonly IsolatedStep[]): Promise<{ applied: string[]; conflicted?: { step: string; files: string[] } }> {
  const applied: string[] = [];
  for (const step of steps) {
    const outcome: ApplyOutcome = await applyBranch(cwd, step.isolation);
    if (outcome.status === 'conflicts') return { applied, conflicted: { step: step.name, files: outcome.conflicts } };
    await resolve(store, run, step, 'applied');
    applied.push(step.name);
  }
  return { applied };
}

/** Deletes the steps' branches (one already gone counts as discarded). */
export async function discardRunSteps(store: RunStore, cwd: string, run: RunRecord, steps: readonly IsolatedStep[]): Promise<string[]> {
  for (const step of steps) {
    if (await branchExists(cwd, step.isolation.branch)) await discardBranch(cwd, step.isolation);
    await resolve(store, run, step, 'discarded');
  }
  return steps.map((s) => s.name);
}

async function resolve(store: RunStore, run: RunRecord, step: IsolatedStep, action: 'applied' | 'discarded'): Promise<void> {
  step.isolation.resolution = { action, at: new Date().toISOString() };
  await store.save(run);
  await store.flush(run.id);
}

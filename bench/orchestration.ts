// Engine overhead per step on a 10,000-step DAG with a no-op runner (target < 50 µs), plus, when
// bench/claudeRunner.ts exists, its real-CLI wall-time ratio (skip it with BENCH_REAL_CLI=0). Prints JSON on stdout.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowEngine } from '../src/core/orchestration/engine';
import type { AgentRunner, RunResult } from '../src/core/agents/runner';
import { findCycle, type PlannedStep } from '../src/core/orchestration/workflowPlan';
import type { Workflow } from '../src/core/orchestration/workflowSchema';

const STEPS = Number(process.env.BENCH_STEPS ?? 10_000);
const ROUNDS = 5;

/** A layered DAG: each step depends on up to two earlier steps, spread over eight agent types. */
function dag(n: number): PlannedStep[] {
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  return Array.from({ length: n }, (_, i) => ({
    name: `s${i}`,
    agentType: `type${i % 8}`,
    task: `task ${i}`,
    dependsOn: i === 0 ? [] : [...new Set([`s${Math.floor(random() * i)}`, `s${Math.floor(random() * i)}`])],
    retries: 0,
  }));
}

const ok: RunResult = { status: 'succeeded', exitCode: 0, output: 'ok', durationMs: 0 };
const noop: AgentRunner = { kind: 'noop', run: async () => ok };

async function engineOverhead(steps: PlannedStep[]): Promise<{ perStepUs: number[]; planMs: number }> {
  const workflow: Workflow = { name: 'bench', type: 'parallel' };
  const planStart = performance.now();
  if (findCycle(steps)) throw new Error('the generated DAG has a cycle');
  const planMs = performance.now() - planStart;
  const perStepUs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const engine = new WorkflowEngine({ cwd: process.cwd(), runners: { forAgent: () => noop, forCommand: () => noop }, maxConcurrentAgents: 16 });
    const start = performance.now();
    const run = await engine.run({ workflow, steps });
    const elapsed = performance.now() - start;
    if (run.status !== 'succeeded') throw new Error(`bench run ${run.status}`);
    perStepUs.push((elapsed * 1000) / steps.length);
  }
  return { perStepUs, planMs };
}

function claudeRunnerRatio(): unknown {
  const script = join(__dirname, 'claudeRunner.ts');
  if (!existsSync(script) || process.env.BENCH_REAL_CLI === '0') return null;
  const result = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 600_000 });
  if (result.status !== 0) return { error: (result.stderr || `exit ${result.status}`).trim().split('\n').slice(-3).join(' ') };
  try {
    return JSON.parse(result.stdout);
  } catch {
    return { error: 'bench/claudeRunner.ts printed no JSON' };
  }
}

async function main(): Promise<void> {
  const steps = dag(STEPS);
  const { perStepUs, planMs } = await engineOverhead(steps);
  const sorted = [...perStepUs].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 100) / 100;
  process.stdout.write(
    `${JSON.stringify(
      {
        steps: STEPS,
        rounds: ROUNDS,
        engine_overhead_us_per_step_median: round(sorted[Math.floor(sorted.length / 2)]!),
        engine_overhead_us_per_step_best: round(sorted[0]!),
        target_us_per_step: 50,
        cycle_check_ms: round(planMs),
        real_cli: claudeRunnerRatio(),
      },
      null,
      2,
    )}\n`,
  );
}

void main();

// What the dashboard's runs part costs the editor: laying out a workflow graph in the webview, and shaping recent
// runs and cost per day in the extension host (done at most every 200 ms while a run is live). CPU time, so the
// figures hold on a busy machine. Sizes: BENCH_DAG_STEPS (graph), BENCH_RUNS and BENCH_STEPS_PER_RUN (history),
// BENCH_ROUNDS. Prints JSON on stdout.
import type { RunRecord, StepRecord } from '../src/core/orchestration/runRecord';
import { recordsRunSource } from '../src/core/orchestration/runSource';
import { shapeCostChart } from '../src/shared/costChart';
import { countCrossings, layoutDag, type DagInput } from '../src/shared/dagLayout';
import { runsFeed } from '../src/shared/runsFeed';
import { seededRandom } from '../test/helpers/seededRandom';
import { percentile } from './stats';

const DAG_STEPS = Number(process.env.BENCH_DAG_STEPS ?? 200);
const RUNS = Number(process.env.BENCH_RUNS ?? 2000);
const STEPS_PER_RUN = Number(process.env.BENCH_STEPS_PER_RUN ?? 6);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const AGENT_TYPES = ['engineer', 'qa', 'ops', 'research', 'documentation', 'security', 'data', 'version-control'];

/** CPU milliseconds of each of `ROUNDS` calls of `work`. */
async function cpuMs(work: () => unknown): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = process.cpuUsage();
    await work();
    const used = process.cpuUsage(start);
    samples.push((used.user + used.system) / 1000);
  }
  return samples;
}

/** A layered DAG: each step depends on up to three earlier ones, mostly recent ones, as real workflows do. */
function workflowSteps(n: number): DagInput[] {
  const random = seededRandom(11);
  return Array.from({ length: n }, (_, i) => ({ id: `step-${i}`, dependsOn: i === 0 ? [] : Array.from({ length: 1 + Math.floor(random() * 3) }, () => `step-${Math.max(0, i - 1 - Math.floor(random() * Math.min(i, 12)))}`) }));
}

function history(runs: number, stepsPerRun: number, now: number): RunRecord[] {
  const random = seededRandom(5);
  return Array.from({ length: runs }, (_, r) => {
    const started = new Date(now - random() * 90 * 86_400_000).toISOString();
    const steps: StepRecord[] = Array.from({ length: stepsPerRun }, (_, s) => ({ name: `s${s}`, agentType: AGENT_TYPES[Math.floor(random() * AGENT_TYPES.length)]!, task: 'work', dependsOn: s ? [`s${s - 1}`] : [], status: 'succeeded', attempts: 1, startedAt: started, endedAt: started, costUsd: random() * 0.2 }));
    return { version: 1, id: `run-${r}`, workflow: `wf-${r % 7}`, file: 'wf.yaml', status: 'succeeded', startedAt: started, endedAt: started, owner: { pid: 1, host: 'h' }, context: {}, steps, alerts: [] };
  });
}

async function main(): Promise<void> {
  const steps = workflowSteps(DAG_STEPS);
  const layout = layoutDag(steps);
  const layouts = await cpuMs(() => layoutDag(steps));

  const now = new Date();
  const records = history(RUNS, STEPS_PER_RUN, now.getTime());
  const source = recordsRunSource(async () => records);
  const feed = await runsFeed(source, records[0], now);
  const feeds = await cpuMs(() => runsFeed(source, records[0], now));
  const charts = await cpuMs(() => shapeCostChart(feed.costs, feed.today, 90));

  const result = {
    rounds: ROUNDS,
    graph: {
      steps: DAG_STEPS,
      layers: Math.max(...layout.nodes.map((n) => n.layer)) + 1,
      layout_cpu_ms_median: percentile(layouts, 50, 2),
      layout_cpu_ms_p95: percentile(layouts, 95, 2),
      crossings_input_order: countCrossings(layoutDag(steps, { sweeps: 0 })),
      crossings_after_barycentre: countCrossings(layout),
    },
    runs_feed: {
      runs: RUNS,
      steps_per_run: STEPS_PER_RUN,
      cost_points: feed.costs.length,
      feed_cpu_ms_median: percentile(feeds, 50, 2),
      feed_cpu_ms_p95: percentile(feeds, 95, 2),
    },
    cost_chart: { days: 90, chart_cpu_ms_median: percentile(charts, 50, 3) },
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

void main();

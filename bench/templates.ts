// CLAUDE.md deployment timings on the real master template (target: < 20 ms per deploy).
// Prints JSON: render, deploy (updating, with backup and state), unchanged deploy, status and rollback times.

import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { deployClaudeMd } from '../src/core/templates/deploy';
import { inspectDeployment } from '../src/core/templates/inspect';
import { bundledMasterPath, loadMasterTemplate } from '../src/core/templates/master';
import { renderTemplate } from '../src/core/templates/render';
import { runtimeVariables } from '../src/core/templates/runtimeVariables';
import { rollbackClaudeMd } from '../src/core/templates/rollback';
import { percentile } from './stats';

const REAL_MASTER = process.env.CLAUDE_PM_BENCH_MASTER ?? resolve(__dirname, '../../shared/fixtures/cmpm/framework/CLAUDE.md');
const RUNS = 200;

async function time(runs: number, fn: (i: number) => Promise<unknown> | unknown): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn(i);
    samples.push(performance.now() - start);
  }
  return samples;
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'claude-pm-bench-tpl-'));
  try {
    const project = join(root, 'work', 'project');
    await mkdir(project, { recursive: true });
    const masters = [await loadMasterTemplate(REAL_MASTER), await loadMasterTemplate(bundledMasterPath())];
    const real = masters[0]!;

    const runtime = await runtimeVariables(root, new Date());
    const render = await time(RUNS, () =>
      renderTemplate({ file: real.path, text: real.text, configured: {}, claudeMdVersion: real.claudeMdVersion, frameworkVersion: real.frameworkVersion, deploymentDir: root, now: new Date(), runtime }),
    );
    // Alternating masters of different versions with force: every deploy backs up, writes and records.
    const deploy = await time(RUNS, (i) => deployClaudeMd({ projectRoot: project, master: masters[i % 2]!, force: true, ceiling: root }));
    const unchanged = await time(RUNS, () => deployClaudeMd({ projectRoot: project, master: masters[(RUNS - 1) % 2]!, ceiling: root }));
    const status = await time(50, () => inspectDeployment(project, { master: real, ceiling: root }));
    const rollback = await time(50, () => rollbackClaudeMd({ projectRoot: project, ceiling: root }));

    console.log(
      JSON.stringify(
        {
          template_bytes: real.text.length,
          runs: RUNS,
          render_ms: percentile(render, 50, 3),
          deploy_ms_p50: percentile(deploy, 50, 3),
          deploy_ms_p95: percentile(deploy, 95, 3),
          deploy_unchanged_ms_p50: percentile(unchanged, 50, 3),
          status_ms_p50: percentile(status, 50, 3),
          rollback_ms_p50: percentile(rollback, 50, 3),
          backups_at_end: (await inspectDeployment(project, { master: real, ceiling: root })).targets[0]!.backups,
        },
        null,
        2,
      ),
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

void main();

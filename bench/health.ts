// Wall time of a full health check: 4 service probes on 127.0.0.1 (one never answers, 1 s timeout) and
// 20 git repositories with the `.claude-pm` layout check (target < 1.5 s), plus the same with every
// framework compliance check. Then the alert log at its bound: the CPU time a check spends appending its alerts,
// and what `claude-pm alerts` spends reading and folding them. Prints JSON on stdout.

import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FRAMEWORK_CHECKS } from '../src/core/health/frameworkChecks';
import { runHealthCheck } from '../src/core/health/healthCheck';
import type { ServiceDefinition } from '../src/core/health/services';
import { alertsSince, foldRepeats } from '../src/core/health/alertLog';
import type { HealthAlert, HealthReport } from '../src/core/health/reportSchema';
import { ALERTS_FILE, loadAlerts, MAX_ALERTS, saveReport } from '../src/core/health/reportStore';

const REPOS = Number(process.env.BENCH_REPOS ?? 20);
const ROUNDS = 3;
const ALERTS = Number(process.env.BENCH_ALERTS ?? MAX_ALERTS);
const HANG_TIMEOUT_MS = 1000;
const run = promisify(execFile);
const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@example.invalid', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@example.invalid' };

async function serve(hang: boolean): Promise<Server> {
  const server = createServer((_req, res) => {
    if (!hang) res.writeHead(200).end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

async function makeRepo(dir: string, i: number): Promise<void> {
  await mkdir(join(dir, '.claude-pm', 'logs'), { recursive: true });
  await writeFile(join(dir, 'README.md'), `# repo ${i}\n`);
  for (let f = 0; f < 20; f++) await writeFile(join(dir, `file${f}.txt`), `${i}:${f}\n`);
  await run('git', ['init', '-q', '-b', 'main'], { cwd: dir, env: gitEnv });
  await run('git', ['add', '-A'], { cwd: dir, env: gitEnv });
  await run('git', ['commit', '-q', '-m', 'init'], { cwd: dir, env: gitEnv });
  if (i % 3 === 0) await writeFile(join(dir, 'file0.txt'), 'dirty\n');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** CPU milliseconds (user + system) `action` takes: unlike wall time, it does not grow with the machine's load. */
async function cpuMs(action: () => Promise<unknown>): Promise<number> {
  const before = process.cpuUsage();
  await action();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

/** A full alert log (a monitor's week of a down service and low compliance), then one more check and one listing. */
async function alertLog(root: string, report: HealthReport) {
  const dir = join(root, 'alerts');
  await mkdir(join(dir, '.claude-pm', 'logs'), { recursive: true });
  const at = (i: number) => new Date(Date.now() - (ALERTS - i) * 60_000).toISOString();
  const alert = (i: number): HealthAlert =>
    i % 2 ? { timestamp: at(i), level: 'critical', message: 'Critical service mem0ai_mcp is down: connect ECONNREFUSED 127.0.0.1:8002', data: { service: 'mem0ai_mcp', status: 'down' } } : { timestamp: at(i), level: 'warning', message: 'Framework compliance 70% is below 80%', data: { compliance: 70 } };
  await writeFile(join(dir, ALERTS_FILE), JSON.stringify({ version: 1, entries: Array.from({ length: ALERTS }, (_, i) => alert(i)) }));
  const save: number[] = [];
  const list: number[] = [];
  let folded = 0;
  for (let r = 0; r < ROUNDS; r++) {
    save.push(await cpuMs(() => saveReport(dir, { ...report, alerts: [alert(ALERTS + r), alert(ALERTS + r + 1)] }, 2000, ALERTS)));
    list.push(await cpuMs(async () => (folded = foldRepeats(alertsSince(await loadAlerts(dir), new Date(Date.now() - 7 * 86_400_000))).length)));
  }
  return { entries: ALERTS, file_bytes: (await stat(join(dir, ALERTS_FILE))).size, save_cpu_ms: Math.round(median(save) * 10) / 10, list_cpu_ms: Math.round(median(list) * 10) / 10, folded_lines: folded };
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'claude-pm-bench-health-'));
  const servers = await Promise.all([serve(false), serve(false), serve(false), serve(true)]);
  try {
    const repos = Array.from({ length: REPOS }, (_, i) => join(root, `repo-${i}`));
    for (const [i, dir] of repos.entries()) {
      await mkdir(dir);
      await makeRepo(dir, i);
    }
    const services: ServiceDefinition[] = servers.map((s, i) => ({
      name: i === 3 ? 'never_answers' : `service_${i}`,
      url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/health`,
      critical: i === 0,
      timeoutMs: i === 3 ? HANG_TIMEOUT_MS : 5000,
    }));
    const measure = async (withFrameworkChecks: boolean) => {
      const times: number[] = [];
      let score = 0;
      for (let r = 0; r < ROUNDS; r++) {
        const started = performance.now();
        const report = await runHealthCheck({ services, projects: repos, checks: withFrameworkChecks ? FRAMEWORK_CHECKS : [], alertThreshold: 60 });
        times.push(performance.now() - started);
        score = report.summary.overall_health_percentage;
      }
      return { median_ms: Math.round(median(times)), runs_ms: times.map(Math.round), score };
    };
    // The floor on this machine right now: the same number of git processes doing nothing.
    const baselineStart = performance.now();
    await Promise.all(Array.from({ length: REPOS * 2 }, () => run('git', ['--version'])));
    const baselineMs = Math.round(performance.now() - baselineStart);
    const layoutOnly = await measure(false);
    const allChecks = await measure(true);
    const alerts = await alertLog(root, await runHealthCheck({ services: [], projects: [repos[0]!], alertThreshold: 60 }));
    process.stdout.write(
      `${JSON.stringify(
        {
          benchmark: 'health.fullCheck',
          probes: services.length,
          never_answering_timeout_ms: HANG_TIMEOUT_MS,
          repositories: REPOS,
          rounds: ROUNDS,
          load_average_1m: Math.round(loadavg()[0]! * 100) / 100,
          baseline_git_spawns_ms: baselineMs,
          layout_check: layoutOnly,
          all_framework_checks: allChecks,
          target_ms: 1500,
          within_target: layoutOnly.median_ms < 1500,
          alert_log: alerts,
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    for (const s of servers) {
      s.closeAllConnections();
      s.close();
    }
    await rm(root, { recursive: true, force: true });
  }
}

void main();

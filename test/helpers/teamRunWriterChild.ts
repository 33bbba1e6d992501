// A separate process recording finished runs while the team database is down, so each one lands in the run
// outbox; it keeps retrying until it is killed. argv: <databaseUrl> <workspaceRoot> <count>. Prints "queued <id>".
import type { RunRecord } from '../../src/core/orchestration/runRecord';
import { TeamRunRecorder } from '../../src/core/orchestration/teamRuns';

/** A finished one-step run as the engine writes it, with usage and cost. */
export function finishedRun(id: string, overrides: Partial<RunRecord> = {}, step: Partial<RunRecord['steps'][number]> = {}): RunRecord {
  const usage = { input_tokens: 1200, output_tokens: 300, cache_read_input_tokens: 50, cache_creation_input_tokens: 0 };
  return {
    version: 1,
    id,
    workflow: 'review',
    file: '.claude-pm/workflows/review.yaml',
    status: 'succeeded',
    startedAt: '2026-11-20T10:00:00.000Z',
    endedAt: '2026-11-20T10:00:42.000Z',
    durationMs: 42_000,
    owner: { pid: 1, host: 'test' },
    context: {},
    steps: [{ name: 'review', agentType: 'qa', task: 'review the change', dependsOn: [], status: 'succeeded', attempts: 1, costUsd: 0.25, usage, toolCalls: 3, model: 'claude-sonnet-4-5', endedAt: '2026-11-20T10:00:42.000Z', ...step }],
    costUsd: 0.25,
    usage,
    toolCalls: 3,
    alerts: [],
    ...overrides,
  };
}

async function main(): Promise<void> {
  const [url, root, count] = process.argv.slice(2) as [string, string, string];
  const recorder = new TeamRunRecorder(url, root, { replayIntervalMs: 200 });
  for (let i = 0; i < Number(count); i++) {
    const id = `offline-${i}`;
    const outcome = await recorder.record(finishedRun(id));
    process.stdout.write(`${outcome} ${id}\n`);
  }
  // Keep retrying the replay, as an editor left open would, until the test kills this process.
  setInterval(() => undefined, 1000);
}

if (process.argv[1]?.includes('child')) {
  main().catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  });
}

// Webhook listener figures on this machine, printed as JSON on stdout:
//   - deliveries per second accepted (HMAC check, replay guard, payload on disk, audit line, 202), for deliveries
//     that match no workflow, so only the listener is measured;
//   - time from sending a delivery to the start of the first step of the workflow it triggers (p50/p95).
// BENCH_DELIVERIES (default 2000) and BENCH_CONCURRENCY (default 32) size the first part.

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../src/core/common/logger';
import { loadConfig } from '../src/core/config/loadConfig';
import { createEventListener } from '../src/core/events/eventListener';
import { signBody } from '../src/core/events/signature';
import { percentile } from './stats';

const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const LATENCY_SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 100);
const SECRET = 'bench-secret';

async function send(url: string, event: string, id: string): Promise<number> {
  const body = JSON.stringify({ id, ref: 'refs/heads/main', note: 'x'.repeat(2000) });
  const res = await fetch(`${url}/webhooks/generic`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-event-name': event, 'x-delivery-id': id, 'x-signature-256': signBody(SECRET, body) }, body });
  await res.arrayBuffer();
  return res.status;
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'claude-pm-bench-events-'));
  try {
    await mkdir(join(root, '.claude-pm', 'workflows'), { recursive: true });
    await writeFile(join(root, '.claude-pm', 'config.json'), JSON.stringify({ orchestrator: { adaptive_concurrency: false } }));
    await writeFile(join(root, '.claude-pm', 'workflows', 'qa.yaml'), 'name: qa\ntriggers:\n  - { event: timed, branches: [main] }\nsteps:\n  - { name: check, command: "true" }\n');
    const env = { HOME: root, PATH: process.env.PATH };
    const { config } = await loadConfig(root, {}, env);
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    const seen = new Set<string>();
    const listener = await createEventListener({
      root,
      config,
      env,
      logger: silentLogger,
      secret: SECRET,
      port: 0,
      ratePerMinute: 10_000_000,
      engineEvents: {
        onUpdate: (run) => {
          const id = run.trigger?.deliveryId;
          if (!id || seen.has(id) || run.steps[0]?.status !== 'running') return;
          seen.add(id);
          latencies.push(performance.now() - sentAt.get(id)!);
        },
      },
    });
    const { port } = await listener.server.listen();
    const url = `http://127.0.0.1:${port}`;

    let next = 0;
    let accepted = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < DELIVERIES) {
          const i = next++;
          if ((await send(url, 'unmatched', `t-${i}`)) === 202) accepted++;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;

    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const id = `l-${i}`;
      sentAt.set(id, performance.now());
      await send(url, 'timed', id);
      const deadline = performance.now() + 30_000;
      while (!seen.has(id)) {
        if (performance.now() > deadline) throw new Error(`delivery ${id} started no step within 30 s`);
        await new Promise((r) => setTimeout(r, 1));
      }
    }
    await listener.server.shutdown(30_000);
    latencies.sort((a, b) => a - b);
    console.log(
      JSON.stringify(
        {
          deliveries: DELIVERIES,
          concurrency: CONCURRENCY,
          accepted,
          acceptedPerSecond: Math.round(accepted / seconds),
          deliveryToStepStartMs: { samples: latencies.length, p50: percentile(latencies, 50, 1), p95: percentile(latencies, 95, 1), max: +latencies[latencies.length - 1]!.toFixed(1) },
        },
        null,
        2,
      ),
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e); process.exit(1); });

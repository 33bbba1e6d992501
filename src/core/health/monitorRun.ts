import type { HealthReport, MonitorReport, MonitorSample, OverallStatus } from './reportSchema';

const STATUS_RANK: Record<OverallStatus, number> = { healthy: 0, degraded: 1, critical: 2 };

export function toSample(report: HealthReport): MonitorSample {
  return {
    timestamp: report.timestamp,
    overall_health_percentage: report.summary.overall_health_percentage,
    status: report.summary.status,
    service_health_percentage: report.summary.service_health_percentage,
    project_health_percentage: report.summary.project_health_percentage,
    framework_compliance: report.summary.framework_compliance,
    services: Object.fromEntries(Object.values(report.services).map((s) => [s.name, s.status])),
    alerts: report.alerts.length,
    duration_ms: report.summary.duration_ms,
  };
}

/** A monitor that runs until stopped keeps this many of its newest samples (a day at one a minute). */
export const MAX_KEPT_SAMPLES = 1440;

export interface MonitorRunOptions {
  /** Infinity: sample until `signal` aborts. */
  durationMs: number;
  intervalMs: number;
  check: () => Promise<HealthReport>;
  /** Called after each sample with the report so far (a monitor that runs until stopped rewrites its output). */
  onSample?: (sample: MonitorSample, report: () => MonitorReport) => unknown;
  /** Stops the monitor after the sample in progress. */
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Samples health at t = 0, interval, 2·interval… while within the duration; a slow check delays the next
 * sample rather than overlapping it. Always takes at least one sample.
 */
export async function runMonitor(options: MonitorRunOptions): Promise<MonitorReport> {
  const sleep = options.sleep ?? wakeableSleep;
  const startedAt = new Date();
  const start = performance.now();
  const samples: MonitorSample[] = [];
  const report = () => monitorReport(options, startedAt, samples);
  for (let k = 1; ; k++) {
    const sample = toSample(await options.check());
    samples.push(sample);
    if (samples.length > MAX_KEPT_SAMPLES) samples.shift();
    await options.onSample?.(sample, report);
    const next = k * options.intervalMs;
    if (next > options.durationMs || options.signal?.aborted) break;
    const wait = next - (performance.now() - start);
    if (wait > 0) await sleep(wait, options.signal);
    if (options.signal?.aborted) break;
  }
  return report();
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function wakeableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

function monitorReport(options: MonitorRunOptions, startedAt: Date, samples: MonitorSample[]): MonitorReport {
  const scores = samples.map((s) => s.overall_health_percentage);
  return {
    started_at: startedAt.toISOString(),
    finished_at: new Date().toISOString(),
    duration_seconds: Number.isFinite(options.durationMs) ? options.durationMs / 1000 : Math.round((Date.now() - startedAt.getTime()) / 1000),
    interval_seconds: options.intervalMs / 1000,
    samples,
    summary: {
      samples: samples.length,
      min: Math.min(...scores),
      max: Math.max(...scores),
      average: Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 10) / 10,
      worst_status: samples.reduce<OverallStatus>((worst, s) => (STATUS_RANK[s.status] > STATUS_RANK[worst] ? s.status : worst), 'healthy'),
      alerts_total: samples.reduce((n, s) => n + s.alerts, 0),
    },
  };
}

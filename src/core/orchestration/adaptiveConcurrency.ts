import { cpus, freemem, totalmem } from 'node:os';

export interface ResourceSample {
  cpuPercent: number;
  memoryPercent: number;
}

export interface AdaptiveOptions {
  min: number;
  max: number;
}

/**
 * The seed's resource rule for the agent limit: fewer agents when CPU > 80 % or memory > 85 %, more when
 * CPU < 30 %, one step at a time and always within [min, max].
 */
export function adaptLimit(current: number, sample: ResourceSample, { min, max }: AdaptiveOptions): number {
  let next = current;
  if (sample.cpuPercent > 80 || sample.memoryPercent > 85) next = current - 1;
  else if (sample.cpuPercent < 30) next = current + 1;
  return Math.max(min, Math.min(max, next));
}

/** System-wide CPU (over the interval since the previous call) and memory use, from `os`. */
export class SystemResourceSampler {
  private last = cpuTimes();

  sample(): ResourceSample {
    const now = cpuTimes();
    const total = now.total - this.last.total;
    const idle = now.idle - this.last.idle;
    this.last = now;
    return {
      cpuPercent: total > 0 ? Math.max(0, Math.min(100, (1 - idle / total) * 100)) : 0,
      memoryPercent: (1 - freemem() / totalmem()) * 100,
    };
  }
}

function cpuTimes(): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const cpu of cpus()) {
    const t = cpu.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, total };
}

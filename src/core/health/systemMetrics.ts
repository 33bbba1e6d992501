import { cpus, freemem, loadavg, totalmem } from 'node:os';

export interface SystemMetrics {
  processRssMb: number;
  processCpuPercent: number;
  systemMemoryUsedPercent: number;
  systemLoad1: number;
  cpuCount: number;
}

/** Samples process and system load; CPU is measured over the interval since the previous call. */
export class SystemMetricsSampler {
  private lastCpu = process.cpuUsage();
  private lastTime = process.hrtime.bigint();

  sample(): SystemMetrics {
    const now = process.hrtime.bigint();
    const cpu = process.cpuUsage(this.lastCpu);
    const elapsedUs = Number(now - this.lastTime) / 1000;
    this.lastCpu = process.cpuUsage();
    this.lastTime = now;
    const cpuCount = cpus().length || 1;
    return {
      processRssMb: process.memoryUsage().rss / 1024 / 1024,
      processCpuPercent: elapsedUs > 0 ? Math.min(100, ((cpu.user + cpu.system) / elapsedUs / cpuCount) * 100) : 0,
      systemMemoryUsedPercent: (1 - freemem() / totalmem()) * 100,
      systemLoad1: loadavg()[0] ?? 0,
      cpuCount,
    };
  }
}

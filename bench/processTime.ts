// Whole-process figures of a child: wall time, and the child's own CPU time (user + system) and peak memory,
// reported by a hook loaded into it. On a shared machine wall time inflates with the load; CPU time much less.

import { spawnSync } from 'node:child_process';

export interface ProcessTime {
  wallMs: number;
  cpuMs: number;
  maxRssMb: number;
  stdout: string;
}

const MARKER = '\u0000process-time ';
const HOOK = `data:text/javascript,process.on('exit',()=>{const c=process.cpuUsage();process.stderr.write(${JSON.stringify(MARKER)}+JSON.stringify({cpuMs:(c.user+c.system)/1000,maxRssMb:process.resourceUsage().maxRSS/1024})+'\\n')})`;

/** Runs `node <args>` to completion in `cwd`; throws with its error output when it fails. */
export function timeNode(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): ProcessTime {
  const started = performance.now();
  const result = spawnSync(process.execPath, ['--import', HOOK, ...args], { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const wallMs = performance.now() - started;
  const at = result.stderr.lastIndexOf(MARKER);
  if (result.status !== 0 || at < 0) throw new Error(`node ${args.join(' ')} failed: ${result.stderr}`);
  const { cpuMs, maxRssMb } = JSON.parse(result.stderr.slice(at + MARKER.length)) as { cpuMs: number; maxRssMb: number };
  return { wallMs: Math.round(wallMs), cpuMs: Math.round(cpuMs), maxRssMb: Math.round(maxRssMb), stdout: result.stdout };
}

/** The run with the median wall time of `runs`, after one warm-up. */
export function medianRun(runs: number, run: () => ProcessTime): ProcessTime {
  run();
  const samples = Array.from({ length: runs }, run).sort((a, b) => a.wallMs - b.wallMs);
  return samples[Math.floor(runs / 2)] as ProcessTime;
}

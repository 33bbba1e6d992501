import { appendFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { writeJsonAtomic } from '../common/atomicFile';
import type { FileDiagnostic } from '../config/diagnostics';
import { CONFIG_DIR } from '../config/loadConfig';
import { processAlive } from '../common/processAlive';
import { redact } from '../common/redact';
import { runRecordSchema, type RunRecord } from './runRecord';

export const RUNS_DIR = join(CONFIG_DIR, 'runs');
const MAX_RUN_FILE_BYTES = 20 * 1024 * 1024;

/** Where finished runs go besides the local history (the team database). */
export interface FinishedRunSink {
  record(run: RunRecord): Promise<unknown>;
}

/**
 * Run history under `.claude-pm/runs/`: `<id>.json` rewritten atomically (writes of one run are coalesced,
 * so a burst of step updates costs one write) and `<id>.log` appended with agent-labelled lines.
 */
export class RunStore {
  readonly dir: string;
  private readonly writers = new Map<string, { latest?: RunRecord; logLines: string[]; done: Promise<void>; scheduled: boolean }>();
  private readonly sent = new Set<string>();

  /** `finished` gets each run once, when it is first saved finished (succeeded, failed, cancelled, interrupted…). */
  constructor(
    root: string,
    private readonly finished?: FinishedRunSink,
  ) {
    this.dir = join(root, RUNS_DIR);
  }

  runPath(id: string): string {
    return join(this.dir, `${id}.json`);
  }

  logPath(id: string): string {
    return join(this.dir, `${id}.log`);
  }

  /** Queues a snapshot of `run` for writing; the newest snapshot wins. */
  save(run: RunRecord): Promise<void> {
    const writer = this.writer(run.id);
    writer.latest = structuredClone(run);
    return this.schedule(run.id);
  }

  /** Queues log lines (redacted) for appending. */
  appendLog(id: string, lines: readonly string[]): Promise<void> {
    this.writer(id).logLines.push(...lines.map((l) => redact(l)));
    return this.schedule(id);
  }

  /** Waits until everything queued for `id` is on disk. */
  async flush(id: string): Promise<void> {
    await this.writers.get(id)?.done;
  }

  private writer(id: string) {
    let writer = this.writers.get(id);
    if (!writer) this.writers.set(id, (writer = { logLines: [], done: Promise.resolve(), scheduled: false }));
    return writer;
  }

  private schedule(id: string): Promise<void> {
    const writer = this.writer(id);
    if (writer.scheduled) return writer.done;
    writer.scheduled = true;
    writer.done = writer.done.then(async () => {
      writer.scheduled = false;
      const run = writer.latest;
      const lines = writer.logLines.splice(0);
      writer.latest = undefined;
      await mkdir(this.dir, { recursive: true });
      if (lines.length) await appendFile(this.logPath(id), `${lines.join('\n')}\n`);
      if (run) await writeJsonAtomic(this.runPath(id), run);
      if (run && run.status !== 'running' && this.finished && !this.sent.has(id)) {
        this.sent.add(id);
        void this.finished.record(run).catch(() => undefined);
      }
    });
    return writer.done;
  }

  /** Every readable run, newest first; unreadable or invalid files are reported, not thrown. */
  async list(): Promise<{ runs: RunRecord[]; diagnostics: FileDiagnostic[] }> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { runs: [], diagnostics: [] };
      throw error;
    }
    const runs: RunRecord[] = [];
    const diagnostics: FileDiagnostic[] = [];
    await Promise.all(
      names.map(async (name) => {
        const result = await this.read(join(this.dir, name));
        if ('run' in result) runs.push(result.run);
        else diagnostics.push(result.diagnostic);
      }),
    );
    runs.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.id.localeCompare(a.id));
    return { runs, diagnostics };
  }

  async load(id: string): Promise<RunRecord | undefined> {
    const result = await this.read(this.runPath(id));
    return 'run' in result ? result.run : undefined;
  }

  async readLog(id: string): Promise<string> {
    return readFile(this.logPath(id), 'utf8').catch(() => '');
  }

  private async read(file: string): Promise<{ run: RunRecord } | { diagnostic: FileDiagnostic }> {
    try {
      const text = await readFile(file, 'utf8');
      if (text.length > MAX_RUN_FILE_BYTES) return { diagnostic: { file, message: 'run file too large to read', severity: 'warning' } };
      const parsed = runRecordSchema.safeParse(JSON.parse(text));
      if (!parsed.success) return { diagnostic: { file, message: `not a run record: ${parsed.error.issues[0]?.message}`, severity: 'warning' } };
      return { run: parsed.data };
    } catch (error) {
      return { diagnostic: { file, message: `cannot read run: ${(error as Error).message}`, severity: 'warning' } };
    }
  }

  /**
   * Marks runs still "running" whose owner process is gone (e.g. VS Code was closed mid-run) as
   * interrupted, with their unfinished steps. Returns the ids it changed.
   */
  async markInterrupted(isAlive: (pid: number) => boolean = processAlive): Promise<string[]> {
    const { runs } = await this.list();
    const host = hostname();
    const changed: string[] = [];
    for (const run of runs) {
      if (run.status !== 'running') continue;
      if (run.owner.host === host && isAlive(run.owner.pid)) continue;
      const now = new Date().toISOString();
      run.status = 'interrupted';
      run.endedAt = now;
      run.error = 'the process running it stopped before it finished';
      for (const step of run.steps) {
        if (step.status === 'running' || step.status === 'retrying' || step.status === 'waiting') {
          step.status = 'interrupted';
          step.endedAt = now;
        }
      }
      await this.save(run);
      await this.flush(run.id);
      changed.push(run.id);
    }
    return changed;
  }
}

/** Share of failed runs among the last `window` finished runs of a workflow (undefined with fewer than `minRuns`). */
export function workflowErrorRate(runs: readonly RunRecord[], workflow: string, window = 20, minRuns = 3): number | undefined {
  const finished = runs.filter((r) => r.workflow === workflow && r.status !== 'running').slice(0, window);
  if (finished.length < minRuns) return undefined;
  return finished.filter((r) => r.status === 'failed' || r.status === 'timed_out' || (r.status === 'completed_with_failures' && !r.failuresAccepted)).length / finished.length;
}

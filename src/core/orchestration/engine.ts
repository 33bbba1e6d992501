import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { silentLogger, type Logger } from '../common/logger';
import { redact } from '../common/redact';
import { adaptLimit, type ResourceSample } from './adaptiveConcurrency';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from '../common/backoff';
import { CircuitBreaker, DEFAULT_BREAKER, type BreakerOptions, type BreakerState } from '../common/circuitBreaker';
import { systemClock, type Clock } from './clock';
import { ConcurrencyLimiter } from './concurrencyLimiter';
import { conditionHolds } from './expression';
import type { AgentRunner, RunEvent, RunResult } from '../agents/runner';
import { beginCheckpoint } from '../agents/checkpoint';
import { settleCheckpoint } from '../agents/delegate';
import { isolatedRunner } from '../agents/worktreeIsolation';
import { DEFAULT_MEMORY_TOKEN_BUDGET, fitHints, memoryPromptSection, type MemoryHint, type RunMemory } from './runMemory';
import type { RunAlert, RunRecord, RunTrigger, StepRecord, StepState } from './runRecord';
import { addSpend, rollUpSpend } from './runSpend';
import { newRunId } from '../common/runId';
import { workflowErrorRate, type RunStore } from './runStore';
import { assertRunnable, type PlannedStep } from './workflowPlan';
import type { Workflow } from './workflowSchema';
import { emptyRecord, ownValue } from '../common/ownKeys';

/** Where the engine gets a runner for a step. A runner may be an AgentPool. */
export interface StepRunners {
  forAgent(agentType: string): AgentRunner | undefined;
  /** For `command` steps: the request's task is the shell command. */
  forCommand(): AgentRunner | undefined;
}

export interface EngineOptions {
  cwd: string;
  runners: StepRunners;
  /** Across every run of this engine. */
  maxConcurrentAgents: number;
  perAgentLimits?: Record<string, number>;
  /** For steps without their own `timeout`. */
  defaultStepTimeoutMs?: number;
  clock?: Clock;
  random?: () => number;
  backoff?: BackoffOptions;
  breaker?: BreakerOptions;
  memory?: RunMemory;
  memoryTokenBudget?: number;
  store?: RunStore;
  logger?: Logger;
  /** Share of failed runs of a workflow above which an error-rate alert is raised (needs `store`). */
  errorRateThreshold?: number;
  /** Characters of output kept per step and forwarded to dependents. */
  outputTailChars?: number;
  /** Adaptive concurrency: while runs are active, the global limit follows these resource samples. */
  adaptive?: { sample: () => ResourceSample; intervalMs: number; min?: number };
  /**
   * Record a checkpoint of the working tree before the first step and after the last, keeping those of the last
   * `keep` runs. One per run: parallel steps share the working tree, so per-step checkpoints would mix their changes.
   */
  checkpoints?: { keep: number };
  /** Key values masked in every record and log line of a run, besides whatever looks like a secret. */
  secrets?: readonly string[];
  onUpdate?: (run: RunRecord) => void;
  onLog?: (line: RunLogLine) => void;
  /** Every event of every agent step as it streams (tool calls, results, text), for live activity views. */
  onEvent?: (runId: string, step: string, event: RunEvent) => void;
  onAlert?: (alert: RunAlert, run: RunRecord) => void;
}

export interface RunLogLine {
  runId: string;
  step?: string;
  agentType?: string;
  text: string;
  at: number;
}

export interface WorkflowRunInput {
  workflow: Workflow;
  steps: readonly PlannedStep[];
  file?: string;
  context?: Record<string, unknown>;
  selectedVia?: { workflow: string; selected: string }[];
  signal?: AbortSignal;
  /** The event that started the run: recorded, readable as `event.*` in conditions, and passed to steps' environment. */
  event?: RunEventContext;
  /** Steps that succeeded in an earlier run (name → output tail): taken as done, for "retry failed steps". */
  reuse?: Record<string, string>;
}

export interface RunEventContext {
  trigger: RunTrigger;
  /** What conditions see as `event`. */
  context: Record<string, unknown>;
  /** Added to every step's environment, e.g. CLAUDE_PM_EVENT_NAME. */
  env: Record<string, string>;
}

export interface RunHandle {
  readonly id: string;
  /** The live record; read-only for callers. */
  readonly record: RunRecord;
  cancel(): void;
  /** Resolves with the final record once every step has stopped. */
  readonly done: Promise<RunRecord>;
}

type StopReason = 'cancelled' | 'timed_out' | 'fail_fast' | 'over_budget';

const DEFAULT_TAIL = 4000;

/**
 * Runs workflow DAGs: global and per-agent-type concurrency limits, per-step timeouts, retries with
 * exponential backoff and jitter, a circuit breaker per agent type, recovery strategies, cancellation,
 * and each step's output forwarded to its dependents. One engine serves many runs and shares its limits
 * and breakers between them.
 */
export class WorkflowEngine {
  readonly limiter: ConcurrencyLimiter;
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly logger: Logger;
  private readonly active = new Map<string, RunHandle>();
  private adaptiveTimer?: ReturnType<typeof setInterval>;

  constructor(private readonly options: EngineOptions) {
    this.limiter = new ConcurrencyLimiter(options.maxConcurrentAgents, options.perAgentLimits);
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? silentLogger;
  }

  get activeRuns(): RunHandle[] {
    return [...this.active.values()];
  }

  breakerState(agentType: string): BreakerState {
    return this.breakers.get(agentType)?.state ?? 'closed';
  }

  /** Applies the adaptive-concurrency rule to one resource sample; returns the new global limit. */
  adjustConcurrency(sample: ResourceSample, min = 1): number {
    const next = adaptLimit(this.limiter.limit, sample, { min, max: this.options.maxConcurrentAgents });
    if (next !== this.limiter.limit) {
      this.logger.info(`agent limit ${this.limiter.limit} → ${next} (CPU ${sample.cpuPercent.toFixed(0)}%, memory ${sample.memoryPercent.toFixed(0)}%)`);
      this.limiter.setLimit(next);
    }
    return next;
  }

  /** Runs a workflow to the end. */
  run(input: WorkflowRunInput): Promise<RunRecord> {
    return this.start(input).done;
  }

  /** Starts a run and returns at once with a handle to watch or cancel it; throws, running nothing, on a DAG it cannot run. */
  start(input: WorkflowRunInput): RunHandle {
    assertRunnable(input.steps);
    const execution = new RunExecution(this, this.options, input, this.clock, this.random, this.logger);
    const handle: RunHandle = {
      id: execution.record.id,
      record: execution.record,
      cancel: () => execution.stop('cancelled'),
      done: execution.done.finally(() => {
        this.active.delete(execution.record.id);
        if (this.active.size === 0) this.stopAdapting();
      }),
    };
    this.active.set(handle.id, handle);
    this.startAdapting();
    return handle;
  }

  private startAdapting(): void {
    const adaptive = this.options.adaptive;
    if (!adaptive || this.adaptiveTimer) return;
    this.adaptiveTimer = setInterval(() => this.adjustConcurrency(adaptive.sample(), adaptive.min), adaptive.intervalMs);
    this.adaptiveTimer.unref?.();
  }

  private stopAdapting(): void {
    clearInterval(this.adaptiveTimer);
    this.adaptiveTimer = undefined;
  }

  /** The breaker of an agent type, created on first use. */
  breakerFor(agentType: string, onOpen: () => void): CircuitBreaker {
    let breaker = this.breakers.get(agentType);
    if (!breaker) {
      breaker = new CircuitBreaker(this.clock, this.options.breaker ?? DEFAULT_BREAKER, (state) => {
        this.logger.info(`circuit for ${agentType} is now ${state.replace('_', '-')}`);
        if (state === 'open') onOpen();
      });
      this.breakers.set(agentType, breaker);
    }
    return breaker;
  }
}

interface StepState_ {
  plan: PlannedStep;
  record: StepRecord;
  waitingOn: number;
  dependents: StepState_[];
  firstStart?: number;
}

/** One run of one workflow. */
class RunExecution {
  readonly record: RunRecord;
  readonly done: Promise<RunRecord>;
  private readonly controller = new AbortController();
  /** Stops the run-timeout timer once the run ends, so nothing keeps the process alive. */
  private readonly runTimer = new AbortController();
  private readonly steps = new Map<string, StepState_>();
  /** What conditions see: the run context plus `steps.<name>.status/output`. */
  private readonly conditionContext: Record<string, unknown>;
  private readonly stepResults: Record<string, { status: StepState; output: string }> = emptyRecord();
  private readonly runLimiter?: ConcurrencyLimiter;
  private stopReason?: StopReason;
  private runFailed = false;
  private readonly hints = new Map<string, MemoryHint[]>();
  private unfinished: number;
  private finish!: () => void;
  private readonly tail: number;

  private scrub(text: string): string {
    return redact(text, this.options.secrets);
  }

  constructor(
    private readonly engine: WorkflowEngine,
    private readonly options: EngineOptions,
    private readonly input: WorkflowRunInput,
    private readonly clock: Clock,
    private readonly random: () => number,
    private readonly logger: Logger,
  ) {
    const now = clock.now();
    this.tail = options.outputTailChars ?? DEFAULT_TAIL;
    this.record = {
      version: 1,
      id: newRunId(input.workflow.name, new Date(now), random),
      workflow: input.workflow.name,
      file: input.file,
      selectedVia: input.selectedVia?.length ? input.selectedVia : undefined,
      trigger: input.event?.trigger,
      status: 'running',
      startedAt: new Date(now).toISOString(),
      owner: { pid: process.pid, host: hostname() },
      context: input.context ?? {},
      failuresAccepted: input.workflow.accept_failures || undefined,
      budgetUsd: input.workflow.max_budget_usd,
      steps: [],
      alerts: [],
    };
    this.conditionContext = { ...input.context, ...(input.event ? { event: input.event.context } : {}), steps: this.stepResults };
    // Every running step with a timeout listens to the run's signal.
    setMaxListeners(0, this.controller.signal);
    if (input.workflow.max_concurrent_agents) this.runLimiter = new ConcurrencyLimiter(input.workflow.max_concurrent_agents);
    for (const plan of input.steps) {
      const record: StepRecord = { name: plan.name, agentType: plan.agentType, command: plan.command === undefined ? undefined : this.scrub(plan.command), task: this.scrub(plan.task), dependsOn: plan.dependsOn, status: 'pending', attempts: 0 };
      this.record.steps.push(record);
      this.steps.set(plan.name, { plan, record, waitingOn: plan.dependsOn.length, dependents: [] });
    }
    for (const step of this.steps.values()) {
      for (const dep of step.plan.dependsOn) this.steps.get(dep)?.dependents.push(step);
    }
    this.unfinished = this.steps.size;
    this.done = new Promise<void>((resolve) => (this.finish = resolve)).then(() => this.complete());
    if (input.signal) {
      if (input.signal.aborted) this.stop('cancelled');
      else input.signal.addEventListener('abort', () => this.stop('cancelled'), { once: true });
    }
    this.begin();
  }

  stop(reason: StopReason): void {
    if (this.controller.signal.aborted) return;
    this.stopReason = reason;
    this.controller.abort(new Error(reason));
  }

  private begin(): void {
    this.log(undefined, `run ${this.record.id} of '${this.record.workflow}' started with ${this.steps.size} steps`);
    const trigger = this.record.trigger;
    if (trigger) this.log(undefined, `started by the ${trigger.source} ${trigger.event}${trigger.action ? ` (${trigger.action})` : ''} delivery ${trigger.deliveryId}`);
    if (this.record.selectedVia) for (const s of this.record.selectedVia) this.log(undefined, `'${s.workflow}' selected '${s.selected}'`);
    this.changed();
    if (this.input.workflow.timeout) this.watchRunTimeout(this.input.workflow.timeout * 1000);
    if (this.unfinished === 0) return this.finish();
    // Without a checkpoint to take, steps start at once, as they always did.
    if (this.checkpointed) void this.checkpointBefore().then(() => this.startSteps());
    else this.startSteps();
  }

  /** Steps in their own worktree leave the working tree alone: a run of only those has nothing to checkpoint. */
  private get checkpointed(): boolean {
    return this.options.checkpoints !== undefined && this.input.steps.some((s) => s.isolation !== 'worktree');
  }

  private async checkpointBefore(): Promise<void> {
    this.record.checkpoint = await beginCheckpoint(this.options.cwd, this.record.id);
    this.changed();
  }

  private async checkpointAfter(): Promise<void> {
    const before = this.record.checkpoint;
    if (!before || !this.checkpointed) return;
    this.record.checkpoint = await settleCheckpoint(this.options.cwd, this.record.id, before, this.options.checkpoints!.keep);
  }

  private startSteps(): void {
    for (const [name, output] of Object.entries(this.input.reuse ?? {})) {
      const step = this.steps.get(name);
      if (!step || step.record.status !== 'pending') continue;
      step.record.outputTail = output;
      this.log(step, 'succeeded in an earlier run; reusing its output');
      this.settle(step, 'succeeded', true);
    }
    for (const step of this.steps.values()) if (step.waitingOn === 0 && step.record.status === 'pending') void this.execute(step);
  }

  private watchRunTimeout(ms: number): void {
    this.clock.sleep(ms, this.runTimer.signal).then(
      () => {
        if (this.unfinished === 0) return;
        this.alert('run_timeout', `run of '${this.record.workflow}' exceeded its timeout of ${ms / 1000} s and was stopped`);
        this.stop('timed_out');
      },
      () => undefined,
    );
  }

  private async execute(step: StepState_): Promise<void> {
    const { plan, record } = step;
    if (this.controller.signal.aborted) return this.settle(step, 'cancelled');
    if (plan.condition && !conditionHolds(plan.condition, this.conditionContext)) {
      this.log(step, `skipped: condition \`${plan.condition}\` does not hold`);
      return this.settle(step, 'skipped', true);
    }
    record.status = 'waiting';
    this.changed();
    let result: RunResult;
    try {
      result = await this.attempts(step, plan.agentType, plan.retries);
      if (result.status !== 'succeeded' && result.status !== 'cancelled' && plan.onError === 'delegate_to_backup' && plan.backupAgent && !this.controller.signal.aborted) {
        this.log(step, `delegating to backup agent '${plan.backupAgent}' after: ${result.error ?? result.status}`);
        result = await this.attempts(step, plan.backupAgent, 0);
        record.ranAs = plan.backupAgent;
      }
    } catch (error) {
      // A bug or a broken runner must not leave the run hanging: the step fails with the reason.
      result = { status: 'failed', exitCode: null, output: '', durationMs: 0, error: `internal error: ${(error as Error).message}` };
    }
    const status: StepState = result.status === 'succeeded' ? 'succeeded' : result.status === 'cancelled' ? 'cancelled' : result.status === 'timed_out' ? 'timed_out' : 'failed';
    record.error = result.error ? this.scrub(result.error) : undefined;
    if (status === 'failed' || status === 'timed_out') {
      if (plan.onError !== 'continue') this.runFailed = true;
      this.log(step, `${status === 'timed_out' ? 'timed out' : 'failed'}: ${record.error ?? 'no reason given'}${result.stderrTail ? `\n${result.stderrTail}` : ''}`);
      if (plan.onError === 'fail_fast') {
        this.log(step, 'fail_fast: stopping the run');
        this.stop('fail_fast');
      }
    } else if (status === 'succeeded') {
      this.log(step, `succeeded in ${record.durationMs ?? 0} ms`);
    }
    await this.recordOutcome(step, status);
    this.settle(step, status, status === 'succeeded' || plan.onError === 'continue');
  }

  /** Runs one agent type with up to `retries` retries; each attempt holds a concurrency slot only while it runs. */
  private async attempts(step: StepState_, agentType: string, retries: number): Promise<RunResult> {
    const { record } = step;
    const signal = this.controller.signal;
    let result: RunResult = cancelledResult();
    for (let attempt = 1; attempt <= retries + 1; attempt++) {
      let releaseRun: (() => void) | undefined;
      let release: (() => void) | undefined;
      try {
        releaseRun = await this.runLimiter?.acquire(agentType, signal);
        release = await this.engine.limiter.acquire(agentType, signal);
      } catch {
        releaseRun?.();
        return cancelledResult();
      }
      try {
        const breaker = this.engine.breakerFor(agentType, () => this.alert('circuit_open', `circuit for agent type '${agentType}' opened after repeated failures`));
        if (!breaker.tryAcquire()) {
          result = { status: 'failed', exitCode: null, output: '', durationMs: 0, error: `circuit for '${agentType}' is open after repeated failures; next probe in ${Math.ceil(breaker.retryInMs() / 1000)} s` };
        } else {
          record.attempts++;
          result = await this.attempt(step, agentType);
          if (result.status === 'cancelled') breaker.abandon();
          else breaker.record(result.status === 'succeeded');
        }
      } finally {
        release();
        releaseRun?.();
      }
      if (result.status === 'succeeded' || result.status === 'cancelled' || signal.aborted) return result;
      if (attempt <= retries) {
        const delay = backoffDelay(attempt, this.options.backoff ?? DEFAULT_BACKOFF, this.random);
        record.status = 'retrying';
        this.log(step, `attempt ${attempt} ${result.status === 'timed_out' ? 'timed out' : 'failed'} (${this.scrub(result.error ?? 'no reason given')}); retrying in ${delay} ms`);
        this.changed();
        try {
          await this.clock.sleep(delay, signal);
        } catch {
          return cancelledResult();
        }
      }
    }
    return result;
  }

  private async attempt(step: StepState_, agentType: string): Promise<RunResult> {
    const { plan, record } = step;
    const shared = plan.command !== undefined ? this.options.runners.forCommand() : this.options.runners.forAgent(agentType);
    const runner = shared && plan.isolation === 'worktree' ? isolatedRunner(shared, { runId: this.record.id, step: plan.name }) : shared;
    if (!runner) return { status: 'failed', exitCode: null, output: '', durationMs: 0, error: plan.command !== undefined ? 'no command runner is available' : `no runner for agent type '${agentType}'` };
    const started = this.clock.now();
    record.status = 'running';
    step.firstStart ??= started;
    record.startedAt ??= new Date(started).toISOString();
    this.changed();
    this.log(step, `attempt ${record.attempts}${agentType !== plan.agentType ? ` as ${agentType}` : ''} via ${runner.kind}`);

    const timeoutMs = plan.timeoutMs ?? this.options.defaultStepTimeoutMs;
    // Without a timeout the run's own signal is the step's: no per-step controller on the hot path.
    const timeout = timeoutMs === undefined ? undefined : this.stepTimeout(timeoutMs);
    try {
      const outputs = this.dependencyOutputs(plan);
      const task = plan.command ?? (await this.agentTask(step, agentType, outputs));
      let result: RunResult;
      try {
        result = await runner.run({
          agentType,
          task,
          cwd: this.options.cwd,
          timeoutMs,
          maxBudgetUsd: this.remainingBudget(),
          toolServer: this.input.workflow.mcp_server,
          signal: timeout?.signal ?? this.controller.signal,
          env: { ...this.input.event?.env, CLAUDE_PM_RUN_ID: this.record.id, CLAUDE_PM_STEP: plan.name, CLAUDE_PM_CONTEXT: JSON.stringify(outputs) },
          onEvent: (event) => this.onEvent(step, event),
        });
      } catch (error) {
        result = { status: 'failed', exitCode: null, output: '', durationMs: this.clock.now() - started, error: (error as Error).message };
      }
      if (timeout?.timedOut() && result.status !== 'succeeded') result = { ...result, status: 'timed_out', error: result.error ?? `no result within ${timeoutMs} ms` };
      else if (this.controller.signal.aborted && result.status !== 'succeeded') result = { ...result, status: 'cancelled' };
      const ended = this.clock.now();
      record.endedAt = new Date(ended).toISOString();
      record.durationMs = ended - step.firstStart;
      record.outputTail = result.output ? this.scrub(result.output.slice(-this.tail)) : record.outputTail;
      addSpend(record, result);
      if (result.sessionId) record.sessionId = result.sessionId;
      if (result.isolation) record.isolation = { ...result.isolation };
      this.checkBudget();
      return result;
    } finally {
      timeout?.dispose();
    }
  }

  /** What is left of the workflow's budget for the next agent, so Claude Code stops itself at the limit. */
  private remainingBudget(): number | undefined {
    const budget = this.record.budgetUsd;
    if (budget === undefined) return undefined;
    return Math.max(0, budget - (rollUpSpend(this.record).costUsd ?? 0));
  }

  private checkBudget(): void {
    Object.assign(this.record, rollUpSpend(this.record));
    const budget = this.record.budgetUsd;
    const spent = this.record.costUsd ?? 0;
    if (budget === undefined || spent <= budget || this.controller.signal.aborted) return;
    this.alert('over_budget', `run of '${this.record.workflow}' spent $${spent.toFixed(4)}, over its budget of $${budget.toFixed(2)}, and was stopped`);
    this.stop('over_budget');
  }

  /** A signal that aborts when the run stops or `ms` pass, whichever comes first. */
  private stepTimeout(ms: number): { signal: AbortSignal; timedOut: () => boolean; dispose: () => void } {
    const step = new AbortController();
    const timer = new AbortController();
    let timedOut = false;
    const onRunAbort = () => step.abort(this.controller.signal.reason);
    this.controller.signal.addEventListener('abort', onRunAbort, { once: true });
    this.clock.sleep(ms, timer.signal).then(
      () => {
        timedOut = true;
        step.abort(new Error('timed_out'));
      },
      () => undefined,
    );
    return {
      signal: step.signal,
      timedOut: () => timedOut,
      dispose: () => {
        timer.abort();
        this.controller.signal.removeEventListener('abort', onRunAbort);
      },
    };
  }

  /** The task text with the results of the steps it depends on and, once per step, what memory knows. */
  private async agentTask(step: StepState_, agentType: string, outputs: Record<string, { status: StepState; output: string }>): Promise<string> {
    const { plan, record } = step;
    const context = Object.keys(outputs).length
      ? `\n\nResults of earlier steps:\n${Object.entries(outputs)
          .map(([name, r]) => `## ${name} (${r.status})\n${r.output || '(no output)'}`)
          .join('\n')}`
      : '';
    let hints = this.hints.get(plan.name) ?? [];
    const memory = this.options.memory;
    if (memory && !this.hints.has(plan.name)) {
      const budget = this.options.memoryTokenBudget ?? DEFAULT_MEMORY_TOKEN_BUDGET;
      try {
        hints = fitHints(await memory.relevantFor(plan.task, agentType, budget), budget);
      } catch (error) {
        this.log(step, `memory unavailable, running without it: ${this.scrub((error as Error).message)}`);
      }
      this.hints.set(plan.name, hints);
      record.memories = hints.map((h) => ({ id: h.id, category: h.category }));
      for (const h of hints) this.log(step, `memory [${h.category}] ${h.id}: ${h.content.replace(/\s+/g, ' ').slice(0, 160)}`);
    }
    return `${plan.task}${context}${memoryPromptSection(hints)}`;
  }

  private dependencyOutputs(plan: PlannedStep): Record<string, { status: StepState; output: string }> {
    const out: Record<string, { status: StepState; output: string }> = emptyRecord();
    for (const dep of plan.dependsOn) {
      const result = ownValue(this.stepResults, dep);
      if (result) out[dep] = result;
    }
    return out;
  }

  private async recordOutcome(step: StepState_, status: StepState): Promise<void> {
    const memory = this.options.memory;
    if (!memory || (status !== 'succeeded' && status !== 'failed' && status !== 'timed_out')) return;
    try {
      await memory.recordOutcome({
        runId: this.record.id,
        workflow: this.record.workflow,
        step: step.plan.name,
        agentType: step.record.ranAs ?? step.plan.agentType,
        task: step.plan.task,
        status,
        output: status === 'succeeded' ? step.record.outputTail : undefined,
        error: status === 'succeeded' ? undefined : step.record.error,
      });
    } catch (error) {
      this.logger.warn(`could not record the outcome of ${step.plan.name} in memory: ${(error as Error).message}`);
    }
  }

  /** Ends a step and releases or skips its dependents; `satisfied` says whether dependents may run. */
  private settle(step: StepState_, status: StepState, satisfied = false): void {
    // Iterative so a failure at the head of a 10,000-step chain does not recurse 10,000 deep.
    const queue: [StepState_, StepState, boolean][] = [[step, status, satisfied]];
    while (queue.length) {
      const [current, state, ok] = queue.pop()!;
      current.record.status = state;
      this.stepResults[current.plan.name] = { status: state, output: current.record.outputTail ?? '' };
      this.unfinished--;
      for (const dependent of current.dependents) {
        if (dependent.record.status !== 'pending') continue;
        if (!ok) {
          const why = this.controller.signal.aborted ? 'cancelled' : 'skipped';
          if (why === 'skipped') this.log(dependent, `skipped: '${current.plan.name}' ${state.replace('_', ' ')}`);
          dependent.record.status = 'waiting';
          queue.push([dependent, why, false]);
        } else if (--dependent.waitingOn === 0) {
          void this.execute(dependent);
        }
      }
    }
    this.changed();
    if (this.unfinished === 0) this.finish();
  }

  private async complete(): Promise<RunRecord> {
    this.runTimer.abort();
    await this.checkpointAfter();
    const run = this.record;
    const ended = this.clock.now();
    run.endedAt = new Date(ended).toISOString();
    run.durationMs = ended - Date.parse(run.startedAt);
    Object.assign(run, rollUpSpend(run));
    const reason = this.stopReason;
    run.status = reason === 'cancelled' ? 'cancelled' : reason === 'timed_out' ? 'timed_out' : this.runFailed || reason === 'fail_fast' || reason === 'over_budget' ? 'failed' : run.steps.some(didNotSucceed) ? 'completed_with_failures' : 'succeeded';
    if (run.status !== 'succeeded') run.error = describeFailure(run, reason);
    this.log(undefined, `run ${run.status}${run.error ? `: ${run.error}` : ''} in ${run.durationMs} ms`);
    await this.checkErrorRate();
    this.changed();
    if (this.options.store) await this.options.store.flush(run.id);
    return run;
  }

  private async checkErrorRate(): Promise<void> {
    const store = this.options.store;
    if (!store) return;
    const threshold = this.options.errorRateThreshold ?? 0.5;
    try {
      await store.save(this.record);
      await store.flush(this.record.id);
      const { runs } = await store.list();
      const rate = workflowErrorRate(runs, this.record.workflow);
      if (rate !== undefined && rate > threshold) {
        this.alert('error_rate', `'${this.record.workflow}' failed in ${Math.round(rate * 100)}% of its recent runs (threshold ${Math.round(threshold * 100)}%)`);
      }
    } catch (error) {
      this.logger.warn(`could not check the error rate of ${this.record.workflow}: ${(error as Error).message}`);
    }
  }

  private alert(kind: RunAlert['kind'], message: string): void {
    const alert: RunAlert = { kind, message, at: new Date(this.clock.now()).toISOString() };
    this.record.alerts.push(alert);
    this.log(undefined, `ALERT ${message}`);
    this.logger.warn(message);
    this.options.onAlert?.(alert, this.record);
  }

  private onEvent(step: StepState_, event: RunEvent): void {
    this.options.onEvent?.(this.record.id, step.plan.name, event);
    let text: string;
    if (event.kind === 'tool_use') text = `tool ${event.name}`;
    else if (event.kind === 'tool_result') text = `${event.isError ? 'tool error' : 'tool result'}: ${event.text.slice(0, 500)}`;
    else if (event.kind === 'status') text = event.message;
    else text = event.text;
    for (const line of text.split('\n')) if (line.trim()) this.log(step, event.kind === 'stderr' ? `stderr: ${line}` : line);
  }

  private log(step: StepState_ | undefined, text: string): void {
    if (!this.options.onLog && !this.options.store) return;
    const line: RunLogLine = { runId: this.record.id, step: step?.plan.name, agentType: step?.record.ranAs ?? step?.plan.agentType, text: this.scrub(text), at: this.clock.now() };
    this.options.onLog?.(line);
    void this.options.store?.appendLog(this.record.id, [formatLogLine(line)]).catch((error: Error) => this.logger.warn(`run log: ${error.message}`));
  }

  private changed(): void {
    this.options.onUpdate?.(this.record);
    void this.options.store?.save(this.record).catch((error: Error) => this.logger.warn(`run history: ${error.message}`));
  }
}

function cancelledResult(): RunResult {
  return { status: 'cancelled', exitCode: null, output: '', durationMs: 0, error: 'cancelled' };
}

function describeFailure(run: RunRecord, reason: StopReason | undefined): string {
  if (reason === 'cancelled') return 'cancelled';
  if (reason === 'timed_out') return 'the run exceeded its timeout';
  if (reason === 'over_budget') return `the run spent $${(run.costUsd ?? 0).toFixed(4)}, over its budget of $${(run.budgetUsd ?? 0).toFixed(2)}`;
  const failed = run.steps.filter(didNotSucceed);
  return failed.length ? `${failed.map((s) => s.name).join(', ')} did not succeed` : 'stopped';
}

function didNotSucceed(step: StepRecord): boolean {
  return step.status === 'failed' || step.status === 'timed_out';
}

/** `12:00:01 [build · engineer] text`, the line format of run logs. */
export function formatLogLine(line: RunLogLine): string {
  const time = new Date(line.at).toISOString().slice(11, 19);
  const label = line.step ? `[${line.step} · ${line.agentType}]` : '[run]';
  return line.text
    .split('\n')
    .map((t) => `${time} ${label} ${t}`)
    .join('\n');
}

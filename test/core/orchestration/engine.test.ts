import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { WorkflowEngine, type EngineOptions, type RunLogLine } from '../../../src/core/orchestration/engine';
import type { AgentRunner } from '../../../src/core/agents/runner';
import type { RunMemory, StepOutcome } from '../../../src/core/orchestration/runMemory';
import { RunStore } from '../../../src/core/orchestration/runStore';
import { parseWorkflowText } from '../../../src/core/orchestration/workflowFile';
import { shellStepRunner } from '../../../src/core/orchestration/workflowRunners';
import { tempDir } from '../../helpers/tempDir';
import { isProcessAlive as alive } from '../../helpers/processProbe';
import { InstantClock, ScriptedRunner, tick, type Behaviour } from './helpers';

function workflow(yaml: string) {
  const parsed = parseWorkflowText('test.yaml', yaml);
  assert.deepEqual(parsed.diagnostics, []);
  return { workflow: parsed.workflow!, steps: parsed.steps };
}

function engineWith(runner: AgentRunner, options: Partial<EngineOptions> = {}) {
  const clock = new InstantClock();
  const engine = new WorkflowEngine({ cwd: process.cwd(), runners: { forAgent: () => runner, forCommand: () => runner }, maxConcurrentAgents: 5, clock, random: () => 1, ...options });
  return { engine, clock };
}

const statusOf = (run: { steps: { name: string; status: string }[] }) => Object.fromEntries(run.steps.map((s) => [s.name, s.status]));

describe('workflow engine', () => {
  it('runs a sequence in order and forwards each result to its dependent', async () => {
    const order: string[] = [];
    const runner = new ScriptedRunner((req) => {
      order.push(req.task.split('\n')[0]!);
      return { output: `output of ${req.task.split('\n')[0]}` };
    });
    const { engine } = engineWith(runner);
    const run = await engine.run(workflow('name: seq\nsteps:\n  - { name: a, agent_type: engineer, task: first }\n  - { name: b, agent_type: qa, task: second }\n  - { name: c, command: third }\n'));
    assert.equal(run.status, 'succeeded');
    assert.deepEqual(order, ['first', 'second', 'third']);
    assert.match(runner.requests[1]!.task, /Results of earlier steps:\n## a \(succeeded\)\noutput of first/);
    assert.equal(runner.requests[2]!.task, 'third', 'a shell command is never rewritten');
    assert.deepEqual(JSON.parse(runner.requests[2]!.env!.CLAUDE_PM_CONTEXT!), { b: { status: 'succeeded', output: 'output of second' } });
    assert.deepEqual(statusOf(run), { a: 'succeeded', b: 'succeeded', c: 'succeeded' });
    assert.ok(run.steps.every((s) => s.attempts === 1));
  });

  it('starts a step only after all of its dependencies finished (diamond DAG)', async () => {
    const finished = new Set<string>();
    const deps: Record<string, string[]> = { a: [], b: ['a'], c: ['a'], d: ['b', 'c'] };
    const runner = new ScriptedRunner(async (req) => {
      const name = req.env!.CLAUDE_PM_STEP!;
      for (const dep of deps[name]!) assert.ok(finished.has(dep), `${name} started before ${dep}`);
      await tick(name === 'b' ? 20 : 1);
      finished.add(name);
      return {};
    });
    const { engine } = engineWith(runner);
    const run = await engine.run(
      workflow('name: d\ntype: parallel\nsteps:\n  - { name: a, command: a }\n  - { name: b, command: b, depends_on: [a] }\n  - { name: c, command: c, depends_on: [a] }\n  - { name: d, command: d, depends_on: [b, c] }\n'),
    );
    assert.equal(run.status, 'succeeded');
    assert.equal(runner.peak, 2, 'b and c ran side by side');
  });

  it('holds exactly the global and per-agent-type limits under load', async () => {
    const byType = new Map<string, number>();
    const peakByType = new Map<string, number>();
    const runner = new ScriptedRunner(async (req) => {
      byType.set(req.agentType, (byType.get(req.agentType) ?? 0) + 1);
      peakByType.set(req.agentType, Math.max(peakByType.get(req.agentType) ?? 0, byType.get(req.agentType)!));
      await tick(1);
      byType.set(req.agentType, byType.get(req.agentType)! - 1);
      return {};
    });
    const { engine } = engineWith(runner, { maxConcurrentAgents: 4, perAgentLimits: { qa: 2 } });
    const steps = Array.from({ length: 60 }, (_, i) => `  - { name: s${i}, agent_type: ${i % 2 ? 'qa' : 'engineer'}, task: t }`).join('\n');
    const run = await engine.run(workflow(`name: load\ntype: parallel\nsteps:\n${steps}\n`));
    assert.equal(run.status, 'succeeded');
    assert.equal(runner.peak, 4);
    assert.equal(peakByType.get('qa'), 2);
    assert.equal(engine.limiter.peakActive, 4);
    const limited = engineWith(new ScriptedRunner(() => tick(1).then(() => ({}))), { maxConcurrentAgents: 10 });
    const wf = workflow(`name: capped\ntype: parallel\nmax_concurrent_agents: 3\nsteps:\n${steps}\n`);
    await limited.engine.run(wf);
    assert.equal(limited.engine.limiter.peakActive, 3, "the workflow's own limit applies too");
  });

  it('retries with exponentially growing, jittered backoff, then succeeds', async () => {
    const runner = new ScriptedRunner((_req, call) => (call < 4 ? { status: 'failed', error: `flaky ${call}` } : { output: 'ok' }));
    const { engine, clock } = engineWith(runner, { backoff: { baseMs: 100, maxMs: 10_000 }, random: () => 0.5 });
    const run = await engine.run(workflow('name: r\nsteps:\n  - { name: a, agent_type: qa, task: t, retries: 3, on_error: retry_with_backoff }\n'));
    assert.equal(run.status, 'succeeded');
    assert.equal(run.steps[0]!.attempts, 4);
    assert.deepEqual(clock.sleeps, [75, 150, 300]);
  });

  it('gives up after the last retry and skips the dependents', async () => {
    const runner = new ScriptedRunner((req) => (req.agentType === 'qa' ? { status: 'failed', error: 'tests failed', stderrTail: 'AssertionError' } : {}));
    const lines: RunLogLine[] = [];
    const { engine, clock } = engineWith(runner, { onLog: (l) => lines.push(l) });
    const run = await engine.run(
      workflow('name: r\ntype: parallel\nsteps:\n  - { name: test, agent_type: qa, task: t, retries: 2 }\n  - { name: ship, agent_type: ops, task: t, depends_on: [test] }\n  - { name: after_ship, agent_type: ops, task: t, depends_on: [ship] }\n  - { name: other, agent_type: ops, task: t }\n'),
    );
    assert.equal(run.status, 'failed');
    assert.deepEqual(statusOf(run), { test: 'failed', ship: 'skipped', after_ship: 'skipped', other: 'succeeded' });
    assert.equal(run.steps[0]!.attempts, 3);
    assert.equal(clock.sleeps.length, 2);
    assert.ok(clock.sleeps[1]! > clock.sleeps[0]!);
    assert.match(run.error!, /test did not succeed/);
    assert.ok(lines.some((l) => l.step === 'test' && l.agentType === 'qa' && /AssertionError/.test(l.text)));
  });

  it('applies the recovery strategies: continue, delegate_to_backup and fail_fast', async () => {
    const failing = (type: string): Behaviour => (req) => (req.agentType === type ? { status: 'failed', error: `${type} broke` } : {});
    const cont = await engineWith(new ScriptedRunner(failing('docs'))).engine.run(
      workflow('name: c\nsteps:\n  - { name: docs, agent_type: docs, task: t, on_error: continue }\n  - { name: next, agent_type: qa, task: t }\n'),
    );
    assert.equal(cont.status, 'completed_with_failures');
    assert.equal(cont.error, 'docs did not succeed');
    assert.deepEqual(statusOf(cont), { docs: 'failed', next: 'succeeded' });

    const backupRunner = new ScriptedRunner(failing('ops'));
    const backup = await engineWith(backupRunner).engine.run(workflow('name: b\nsteps:\n  - { name: deploy, agent_type: ops, task: t, on_error: delegate_to_backup, backup_agent: engineer }\n'));
    assert.equal(backup.status, 'succeeded');
    assert.equal(backup.steps[0]!.ranAs, 'engineer');
    assert.deepEqual(backupRunner.requests.map((r) => r.agentType), ['ops', 'engineer']);

    let slowSignal: AbortSignal | undefined;
    const ffRunner = new ScriptedRunner(async (req) => {
      if (req.agentType === 'qa') return { status: 'failed', error: 'bad' };
      slowSignal = req.signal;
      await new Promise((r) => req.signal!.addEventListener('abort', r));
      return { status: 'cancelled' };
    });
    const ff = await engineWith(ffRunner).engine.run(
      workflow('name: f\ntype: parallel\nsteps:\n  - { name: slow, agent_type: ops, task: t }\n  - { name: gate, agent_type: qa, task: t, on_error: fail_fast }\n  - { name: later, agent_type: ops, task: t, depends_on: [gate] }\n'),
    );
    assert.equal(ff.status, 'failed');
    assert.equal(slowSignal?.aborted, true);
    assert.deepEqual(statusOf(ff), { slow: 'cancelled', gate: 'failed', later: 'cancelled' });
  });

  it('keeps the spend of every attempt, failed and cancelled ones too, and sums it per step and run', async () => {
    const usage = (n: number) => ({ input_tokens: n, output_tokens: 2 * n, cache_read_input_tokens: 3 * n, cache_creation_input_tokens: 0 });
    const runner = new ScriptedRunner((req, call) =>
      req.agentType === 'qa' && call === 1
        ? { status: 'failed', error: 'flaky', costUsd: 0.01, usage: usage(10), toolCalls: 2, model: 'claude-sonnet-4-5' }
        : { costUsd: 0.02, costEstimated: req.agentType === 'ops', usage: usage(100), toolCalls: 3, subagents: [{ subagentType: 'research' }] },
    );
    const run = await engineWith(runner).engine.run(workflow('name: s\nsteps:\n  - { name: test, agent_type: qa, task: t, retries: 1 }\n  - { name: ship, agent_type: ops, task: t }\n'));
    assert.equal(run.status, 'succeeded');
    const test = run.steps[0]!;
    assert.equal(test.attempts, 2);
    assert.ok(Math.abs(test.costUsd! - 0.03) < 1e-12);
    assert.deepEqual(test.usage, usage(110));
    assert.equal(test.toolCalls, 5);
    assert.equal(test.subagents, 1);
    assert.equal(test.costEstimated, undefined);
    assert.ok(Math.abs(run.costUsd! - 0.05) < 1e-12);
    assert.deepEqual(run.usage, usage(210));
    assert.equal(run.toolCalls, 8);
    assert.equal(run.subagents, 2);
    assert.equal(run.costEstimated, true);
  });

  it('passes the remaining budget to each agent and stops a run that spends more than max_budget_usd', async () => {
    const runner = new ScriptedRunner(() => ({ costUsd: 0.4 }));
    const alerts: string[] = [];
    const { engine } = engineWith(runner, { onAlert: (a) => alerts.push(a.message) });
    const run = await engine.run(workflow('name: b\nmax_budget_usd: 1\nsteps:\n  - { name: a, agent_type: qa, task: t }\n  - { name: b, agent_type: qa, task: t }\n  - { name: c, agent_type: qa, task: t }\n  - { name: d, agent_type: qa, task: t }\n'));
    assert.deepEqual(runner.requests.map((r) => Number(r.maxBudgetUsd!.toFixed(6))), [1, 0.6, 0.2]);
    assert.equal(run.status, 'failed');
    assert.equal(run.budgetUsd, 1);
    assert.match(run.error!, /spent \$1\.2000, over its budget of \$1\.00/);
    assert.deepEqual(statusOf(run), { a: 'succeeded', b: 'succeeded', c: 'succeeded', d: 'cancelled' });
    assert.equal(run.alerts[0]!.kind, 'over_budget');
    assert.equal(alerts.length, 1);
    const unlimited = await engine.run(workflow('name: u\nsteps:\n  - { name: a, agent_type: qa, task: t }\n'));
    assert.equal(runner.requests.at(-1)!.maxBudgetUsd, undefined);
    assert.equal(unlimited.status, 'succeeded');
  });

  it('opens the circuit for a failing agent type and refuses further calls without running them', async () => {
    const runner = new ScriptedRunner(() => ({ status: 'failed', error: 'api down' }));
    const alerts: string[] = [];
    const { engine } = engineWith(runner, { breaker: { failureThreshold: 2, recoveryTimeoutMs: 60_000, successThreshold: 1 }, onAlert: (a) => alerts.push(a.kind) });
    const run = await engine.run(workflow('name: cb\nsteps:\n  - { name: a, agent_type: research, task: t, retries: 4 }\n'));
    assert.equal(runner.requests.length, 2);
    assert.equal(run.steps[0]!.attempts, 2);
    assert.match(run.steps[0]!.error!, /circuit for 'research' is open/);
    assert.equal(engine.breakerState('research'), 'open');
    assert.deepEqual(alerts, ['circuit_open']);
    await engine.run(workflow('name: cb2\nsteps:\n  - { name: b, agent_type: research, task: t }\n  - { name: c, agent_type: qa, task: t, depends_on: [] }\n'));
    assert.equal(runner.requests.length, 3, 'only the qa step ran; research stayed blocked across runs');
  });

  it('skips steps whose condition does not hold, and lets their dependents run', async () => {
    const runner = new ScriptedRunner();
    const { engine } = engineWith(runner);
    const wf = workflow(
      "name: c\nsteps:\n  - { name: prod, command: deploy-prod, condition: \"branch == 'main'\" }\n  - { name: staging, command: deploy-staging, condition: \"branch != 'main'\", depends_on: [] }\n  - { name: notify, command: notify, depends_on: [prod, staging], condition: \"steps.prod.status == 'succeeded'\" }\n",
    );
    const main = await engine.run({ ...wf, context: { branch: 'main' } });
    assert.deepEqual(statusOf(main), { prod: 'succeeded', staging: 'skipped', notify: 'succeeded' });
    assert.equal(main.status, 'succeeded');
    const feature = await engine.run({ ...wf, context: { branch: 'feature' } });
    assert.deepEqual(statusOf(feature), { prod: 'skipped', staging: 'succeeded', notify: 'skipped' });
  });

  it('adds the top memories within the token budget to the prompt and records outcomes', async () => {
    const outcomes: StepOutcome[] = [];
    const memory: RunMemory = {
      relevantFor: async (_task, agentType) => [
        { id: 'm1', content: `Use pnpm, not npm (${agentType})`, category: 'team_standard' },
        { id: 'm2', content: 'x'.repeat(4000), category: 'pattern' },
        ...Array.from({ length: 6 }, (_, i) => ({ id: `e${i}`, content: `error fix ${i}`, category: 'error_solution' })),
      ],
      recordOutcome: async (o) => {
        outcomes.push(o);
      },
    };
    const runner = new ScriptedRunner((req) => (req.agentType === 'qa' ? { status: 'failed', error: 'lint failed' } : { output: 'built' }));
    const { engine } = engineWith(runner, { memory, memoryTokenBudget: 200 });
    const run = await engine.run(workflow('name: m\ntype: parallel\nsteps:\n  - { name: build, agent_type: engineer, task: build it }\n  - { name: lint, agent_type: qa, task: lint it, on_error: continue }\n  - { name: sh, command: echo }\n'));
    const build = run.steps.find((s) => s.name === 'build')!;
    assert.deepEqual(build.memories!.map((m) => m.id), ['m1', 'e0', 'e1', 'e2', 'e3']);
    const prompt = runner.requests.find((r) => r.agentType === 'engineer')!.task;
    assert.match(prompt, /Relevant project memory[\s\S]*\[team_standard\] Use pnpm, not npm \(engineer\)/);
    assert.doesNotMatch(prompt, /xxxx/);
    assert.equal(runner.requests.find((r) => r.agentType === 'command')!.task, 'echo');
    const byStep = Object.fromEntries(outcomes.map((o) => [o.step, o]));
    assert.equal(byStep.build!.status, 'succeeded');
    assert.equal(byStep.build!.output, 'built');
    assert.equal(byStep.lint!.status, 'failed');
    assert.equal(byStep.lint!.error, 'lint failed');
  });

  it('keeps running when memory is down', async () => {
    const memory: RunMemory = { relevantFor: async () => Promise.reject(new Error('connect ECONNREFUSED')), recordOutcome: async () => Promise.reject(new Error('down')) };
    const lines: string[] = [];
    const { engine } = engineWith(new ScriptedRunner(), { memory, onLog: (l) => lines.push(l.text) });
    const run = await engine.run(workflow('name: m\nsteps:\n  - { name: a, agent_type: qa, task: t }\n'));
    assert.equal(run.status, 'succeeded');
    assert.ok(lines.some((l) => /memory unavailable/.test(l)));
  });

  it('turns a throwing runner or a missing runner into a failed step instead of a hung run', async () => {
    const throwing: AgentRunner = { kind: 'x', run: async () => Promise.reject(new Error('spawn ENOENT')) };
    const { engine } = engineWith(throwing);
    const run = await engine.run(workflow('name: t\nsteps:\n  - { name: a, agent_type: qa, task: t }\n'));
    assert.equal(run.steps[0]!.status, 'failed');
    assert.match(run.steps[0]!.error!, /ENOENT/);
    const none = new WorkflowEngine({ cwd: '.', runners: { forAgent: () => undefined, forCommand: () => undefined }, maxConcurrentAgents: 1 });
    const missing = await none.run(workflow('name: t\nsteps:\n  - { name: a, agent_type: qa, task: t }\n'));
    assert.match(missing.steps[0]!.error!, /no runner for agent type 'qa'/);
  });

  it('retries only what did not succeed, reusing the earlier outputs', async () => {
    const runner = new ScriptedRunner((req) => ({ output: `ran ${req.env!.CLAUDE_PM_STEP}` }));
    const { engine } = engineWith(runner);
    const wf = workflow('name: r\nsteps:\n  - { name: a, agent_type: qa, task: t }\n  - { name: b, agent_type: qa, task: t }\n  - { name: c, agent_type: qa, task: t }\n');
    const run = await engine.run({ ...wf, reuse: { a: 'earlier a' } });
    assert.equal(run.status, 'succeeded');
    assert.deepEqual(runner.requests.map((r) => r.env!.CLAUDE_PM_STEP), ['b', 'c']);
    assert.match(runner.requests[0]!.task, /## a \(succeeded\)\nearlier a/);
    assert.equal(run.steps[0]!.attempts, 0);
  });

  it('rejects cycles, unknown dependencies and duplicate names before running anything', () => {
    const runner = new ScriptedRunner();
    const { engine } = engineWith(runner);
    const step = (name: string, dependsOn: string[]) => ({ name, agentType: 'qa', task: 't', dependsOn, retries: 0 });
    const wf = { name: 'bad', type: 'parallel' as const };
    assert.throws(() => engine.start({ workflow: wf, steps: [step('a', ['b']), step('b', ['a'])] }), /dependency cycle: a → b → a/);
    assert.throws(() => engine.start({ workflow: wf, steps: [step('a', ['ghost'])] }), /unknown step 'ghost'/);
    assert.throws(() => engine.start({ workflow: wf, steps: [step('a', []), step('a', [])] }), /duplicate step name 'a'/);
    assert.equal(runner.requests.length, 0);
    assert.equal(engine.activeRuns.length, 0);
  });

  it('adapts the global limit to resource samples within the configured bounds', () => {
    const { engine } = engineWith(new ScriptedRunner(), { maxConcurrentAgents: 3 });
    assert.equal(engine.adjustConcurrency({ cpuPercent: 95, memoryPercent: 20 }), 2);
    assert.equal(engine.adjustConcurrency({ cpuPercent: 95, memoryPercent: 20 }), 1);
    assert.equal(engine.adjustConcurrency({ cpuPercent: 95, memoryPercent: 20 }), 1);
    assert.equal(engine.adjustConcurrency({ cpuPercent: 10, memoryPercent: 20 }), 2);
    assert.equal(engine.adjustConcurrency({ cpuPercent: 10, memoryPercent: 20 }), 3);
    assert.equal(engine.adjustConcurrency({ cpuPercent: 10, memoryPercent: 20 }), 3);
  });

  it('samples resources while a run is active and lowers the limit under pressure', async () => {
    let samples = 0;
    const runner = new ScriptedRunner(() => tick(60).then(() => ({})));
    const { engine } = engineWith(runner, {
      maxConcurrentAgents: 4,
      adaptive: {
        intervalMs: 10,
        sample: () => {
          samples++;
          return { cpuPercent: 95, memoryPercent: 50 };
        },
      },
    });
    await engine.run(workflow('name: a\nsteps:\n  - { name: a, command: x }\n'));
    assert.ok(samples >= 1);
    assert.ok(engine.limiter.limit < 4);
    const after = samples;
    await tick(50);
    assert.equal(samples, after, 'sampling stops when no run is active');
  });

  it('runs a 5,000-step chain and skips a 5,000-step tail without deep recursion', async () => {
    const n = 5000;
    const steps = Array.from({ length: n }, (_, i) => ({ name: `s${i}`, agentType: 'qa', task: 't', dependsOn: i ? [`s${i - 1}`] : [], retries: 0 }));
    const runner = new ScriptedRunner();
    const run = await engineWith(runner).engine.run({ workflow: { name: 'long', type: 'sequential' }, steps });
    assert.equal(run.status, 'succeeded');
    assert.equal(runner.requests.length, n);
    assert.equal(runner.peak, 1);
    const failing = await engineWith(new ScriptedRunner(() => ({ status: 'failed' }))).engine.run({ workflow: { name: 'long', type: 'sequential' }, steps });
    assert.equal(failing.steps.filter((s) => s.status === 'skipped').length, n - 1);
  });
});

describe('workflow engine with real processes', () => {
  const shellEngine = (extra: Partial<EngineOptions> = {}) => {
    const shell = shellStepRunner(process.env, 200);
    return new WorkflowEngine({ cwd: process.cwd(), runners: { forAgent: () => shell, forCommand: () => shell }, maxConcurrentAgents: 4, ...extra });
  };
  const pids = async (dir: string) => Promise.all((await readdir(dir)).filter((n) => n.endsWith('.pid')).map(async (n) => Number((await readFile(join(dir, n), 'utf8')).trim())));

  it('stops a step at its timeout and kills the process', async () => {
    const dir = await tempDir();
    const run = await shellEngine().run(workflow(`name: t\nsteps:\n  - { name: hang, command: "echo $$ > ${dir}/hang.pid; exec sleep 30", timeout: 0.3 }\n`));
    assert.equal(run.steps[0]!.status, 'timed_out');
    assert.equal(run.status, 'failed');
    const [pid] = await pids(dir);
    assert.equal(alive(pid!), false);
  });

  it('cancels a whole run mid-way and leaves no child process behind', async () => {
    const dir = await tempDir();
    const store = new RunStore(dir);
    const engine = shellEngine({ store });
    const handle = engine.start(
      workflow(
        [
          'name: cancel-me',
          'type: parallel',
          'steps:',
          `  - { name: a, command: "echo $$ > ${dir}/a.pid; exec sleep 30" }`,
          `  - { name: b, command: "sh -c 'echo $$ > ${dir}/b-child.pid; exec sleep 30' & echo $$ > ${dir}/b.pid; wait" }`,
          `  - { name: c, command: "trap '' TERM; echo $$ > ${dir}/c.pid; while true; do sleep 0.05; done" }`,
          '  - { name: d, command: "echo never", depends_on: [a] }',
          '',
        ].join('\n'),
      ),
    );
    while ((await pids(dir)).length < 4) await tick(20);
    assert.equal(engine.activeRuns.length, 1);
    handle.cancel();
    const run = await handle.done;
    assert.equal(run.status, 'cancelled');
    assert.deepEqual(statusOf(run), { a: 'cancelled', b: 'cancelled', c: 'cancelled', d: 'cancelled' });
    for (const pid of await pids(dir)) assert.equal(alive(pid), false, `pid ${pid} survived`);
    assert.equal(engine.activeRuns.length, 0);
    const saved = await store.load(run.id);
    assert.equal(saved?.status, 'cancelled');
    assert.match(await readFile(store.logPath(run.id), 'utf8'), /\[run\] run cancelled/);
  });

  it('stops a run that exceeds its workflow timeout and raises an alert', async () => {
    const run = await shellEngine().run(workflow('name: slow\ntimeout: 0.3\nsteps:\n  - { name: a, command: "sleep 30" }\n'));
    assert.equal(run.status, 'timed_out');
    assert.equal(run.alerts[0]?.kind, 'run_timeout');
    assert.match(run.alerts[0]!.message, /exceeded its timeout of 0.3 s/);
  });

  it('leaves no timer behind once a run with a long timeout has finished', async () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', `
      const { WorkflowEngine } = require(${JSON.stringify(require.resolve('../../../src/core/orchestration/engine'))});
      const runner = { kind: 'x', run: async () => ({ status: 'succeeded', exitCode: 0, output: '', durationMs: 0 }) };
      new WorkflowEngine({ cwd: '.', runners: { forAgent: () => runner, forCommand: () => runner }, maxConcurrentAgents: 1 })
        .run({ workflow: { name: 'w', type: 'sequential', timeout: 3600 }, steps: [{ name: 'a', agentType: 'qa', task: 't', dependsOn: [], retries: 0, timeoutMs: 3600000 }] })
        .then((run) => console.log(run.status));
    `], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(child.stdout.trim(), 'succeeded', child.stderr);
    assert.equal(child.status, 0, 'the process exited on its own');
  });

  it('persists progress, output tails and labelled log lines, redacting secrets', async () => {
    const store = new RunStore(await tempDir());
    const run = await shellEngine({ store }).run(
      workflow('name: persist\nsteps:\n  - { name: hello, command: "echo hello; echo world" }\n  - { name: secret, command: "echo token=sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789" }\n  - { name: fails, command: "echo broken >&2; exit 4" }\n'),
    );
    const saved = await store.load(run.id);
    assert.equal(saved?.status, 'failed');
    assert.equal(saved?.steps[0]!.outputTail, 'hello\nworld\n');
    assert.match(saved!.steps[2]!.error!, /exited with code 4/);
    assert.doesNotMatch(JSON.stringify(saved), /abcdefghijklmnopqrstuvwxyz0123456789/);
    const log = await store.readLog(run.id);
    assert.match(log, /\[hello · command\] world/);
    assert.match(log, /\[fails · command\] stderr: broken/);
    assert.doesNotMatch(log, /abcdefghijklmnopqrstuvwxyz0123456789/);
  });
});

describe('workflow engine alerts', () => {
  it('raises an error-rate alert once a workflow fails in most of its recent runs', async () => {
    const store = new RunStore(await tempDir());
    const alerts: string[] = [];
    const { engine } = engineWith(new ScriptedRunner(() => ({ status: 'failed', error: 'no' })), { store, random: Math.random, errorRateThreshold: 0.5, onAlert: (a) => alerts.push(a.kind) });
    const wf = workflow('name: flaky\nsteps:\n  - { name: a, agent_type: qa, task: t }\n');
    for (let i = 0; i < 3; i++) await engine.run(wf);
    assert.deepEqual(alerts, ['error_rate']);
    const alerted = (await store.list()).runs.filter((r) => r.alerts.length);
    assert.equal(alerted.length, 1, 'the alert is kept in the run that raised it');
    assert.match(alerted[0]!.alerts[0]!.message, /'flaky' failed in 100% of its recent runs/);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { WorkflowEngine } from '../../../src/core/orchestration/engine';
import type { PlannedStep } from '../../../src/core/orchestration/workflowPlan';
import { parseWorkflowText } from '../../../src/core/orchestration/workflowFile';
import { InstantClock, ScriptedRunner, tick } from './helpers';

const TYPES = ['qa', 'ops', 'engineer'];

const dagArb = fc.integer({ min: 1, max: 25 }).chain((n) =>
  fc.tuple(
    fc.tuple(...Array.from({ length: n }, (_, i) => fc.tuple(fc.uniqueArray(fc.integer({ min: 0, max: Math.max(0, i - 1) }), { maxLength: i === 0 ? 0 : 3 }), fc.constantFrom(...TYPES), fc.boolean()))),
    fc.integer({ min: 1, max: 4 }),
    fc.integer({ min: 1, max: 3 }),
  ),
);

describe('workflow engine properties', () => {
  it('on random DAGs: dependencies finish first, limits hold, failures skip exactly their descendants', async () => {
    await fc.assert(
      fc.asyncProperty(dagArb, async ([spec, limit, qaLimit]) => {
        const steps: PlannedStep[] = spec.map(([deps, agentType], i) => ({ name: `s${i}`, agentType, task: `t${i}`, dependsOn: deps.map((d) => `s${d}`), retries: 0 }));
        const fails = new Set(spec.flatMap(([, , fail], i) => (fail && i % 4 === 0 ? [`s${i}`] : [])));
        const ended = new Set<string>();
        const running = new Map<string, number>();
        let peak = 0;
        let qaPeak = 0;
        const runner = new ScriptedRunner(async (req) => {
          const name = req.env!.CLAUDE_PM_STEP!;
          for (const dep of steps.find((s) => s.name === name)!.dependsOn) assert.ok(ended.has(dep), `${name} started before ${dep} ended`);
          running.set(req.agentType, (running.get(req.agentType) ?? 0) + 1);
          peak = Math.max(peak, [...running.values()].reduce((a, b) => a + b, 0));
          qaPeak = Math.max(qaPeak, running.get('qa') ?? 0);
          await tick(0);
          running.set(req.agentType, running.get(req.agentType)! - 1);
          ended.add(name);
          return fails.has(name) ? { status: 'failed', error: 'scripted failure' } : {};
        });
        const engine = new WorkflowEngine({ cwd: '.', runners: { forAgent: () => runner, forCommand: () => runner }, maxConcurrentAgents: limit, perAgentLimits: { qa: qaLimit }, clock: new InstantClock() });
        const run = await engine.run({ workflow: { name: 'p', type: 'parallel' }, steps });
        assert.ok(peak <= limit);
        assert.ok(qaPeak <= qaLimit);
        // Steps are listed after their dependencies, so one pass settles every expectation.
        const expected = new Map<string, string>();
        for (const step of steps) {
          const depsOk = step.dependsOn.every((d) => expected.get(d) === 'succeeded');
          expected.set(step.name, !depsOk ? 'skipped' : fails.has(step.name) ? 'failed' : 'succeeded');
        }
        for (const step of run.steps) assert.equal(step.status, expected.get(step.name), step.name);
        assert.equal(run.status, [...expected.values()].includes('failed') ? 'failed' : 'succeeded');
      }),
      { numRuns: 60 },
    );
  });

  it('never throws on arbitrary workflow text: it reports diagnostics instead', () => {
    const fragments = fc.constantFrom('name: x\n', 'type: parallel\n', 'type: conditional\n', 'steps:\n', '  - name: a\n', '    command: b\n', '    depends_on: [a]\n', '    agent_type: qa\n', '    task: t\n', '- ', ': ', '[', '{', '"', '\t', 'default_workflow: y\n', 'conditions:\n  - condition: "a =="\n    workflow: z\n', '&a *a ', '!!binary ');
    fc.assert(
      fc.property(fc.array(fragments, { maxLength: 20 }), (parts) => {
        const parsed = parseWorkflowText('f.yaml', parts.join(''));
        assert.ok(parsed.workflow !== undefined || parsed.diagnostics.length > 0);
        for (const d of parsed.diagnostics) assert.ok(d.line === undefined || d.line >= 1);
      }),
      { numRuns: 500 },
    );
  });
});

import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { listWorkflowFiles, loadWorkflowFile, parseWorkflowText, resolveWorkflow, selectBranch, WorkflowError } from '../../../src/core/orchestration/workflowFile';
import { findCycle } from '../../../src/core/orchestration/workflowPlan';
import { tempDir } from '../../helpers/tempDir';

const repo = resolve(__dirname, '../../..');

describe('workflow files', () => {
  it("reads the real tool's {name, description, steps[{name, command}], triggers} shape as a sequence", () => {
    const parsed = parseWorkflowText(
      'wf.yaml',
      ['name: build', 'description: d', 'steps:', '  - name: install', '    command: npm ci', '  - name: test', '    command: npm test', 'triggers:', '  - on_schedule: "0 9 * * *"'].join('\n'),
    );
    assert.deepEqual(parsed.diagnostics, []);
    assert.equal(parsed.workflow?.type, 'sequential');
    assert.deepEqual(
      parsed.steps.map((s) => [s.name, s.agentType, s.task, s.dependsOn]),
      [
        ['install', 'command', 'npm ci', []],
        ['test', 'command', 'npm test', ['install']],
      ],
    );
    assert.deepEqual((parsed.workflow as Record<string, unknown>).triggers, [{ on_schedule: '0 9 * * *' }]);
  });

  it('orders parallel groups only by explicit depends_on and keeps timeouts in milliseconds', () => {
    const parsed = parseWorkflowText(
      'p.yaml',
      `name: p
type: parallel
parallel_groups:
  - name: g1
    steps:
      - { name: a, agent_type: qa, task: t, timeout: 2 }
      - { name: b, agent_type: qa, task: t }
steps:
  - { name: c, agent_type: engineer, task: t, depends_on: [a, b], retries: 3, on_error: retry_with_backoff }
`,
    );
    assert.deepEqual(parsed.diagnostics, []);
    const byName = Object.fromEntries(parsed.steps.map((s) => [s.name, s]));
    assert.deepEqual(byName.a!.dependsOn, []);
    assert.deepEqual(byName.b!.dependsOn, []);
    assert.equal(byName.a!.timeoutMs, 2000);
    assert.equal(byName.a!.group, 'g1');
    assert.deepEqual(byName.c!.dependsOn, ['a', 'b']);
    assert.equal(byName.c!.retries, 3);
  });

  it('gives retry_with_backoff two retries by default', () => {
    const parsed = parseWorkflowText('r.yaml', 'name: r\nsteps:\n  - { name: a, command: x, on_error: retry_with_backoff }\n');
    assert.equal(parsed.steps[0]!.retries, 2);
  });

  it('points schema errors at their line and column', () => {
    const text = ['name: bad', 'steps:', '  - name: ok', '    command: echo', '  - name: second', '    agent_type: qa', '    timeout: -5', '    on_error: explode'].join('\n');
    const { workflow, diagnostics } = parseWorkflowText('bad.yaml', text);
    assert.equal(workflow, undefined);
    const timeout = diagnostics.find((d) => d.key === 'steps.1.timeout');
    assert.equal(timeout?.line, 7);
    assert.equal(timeout?.column, 14);
    assert.equal(diagnostics.find((d) => d.key === 'steps.1.on_error')?.line, 8);
    const incomplete = parseWorkflowText('bad.yaml', ['name: bad', 'steps:', '  - name: ok', '    command: echo', '  - name: second', '    agent_type: qa'].join('\n'));
    const missing = incomplete.diagnostics.find((d) => d.key === 'steps.1');
    assert.match(missing!.message, /agent_type.*task/);
    assert.equal(missing!.line, 5);
  });

  it('rejects unknown dependencies, duplicates and cycles with their location', () => {
    const unknown = parseWorkflowText('u.yaml', 'name: u\nsteps:\n  - name: a\n    command: x\n    depends_on: [ghost]\n');
    assert.match(unknown.diagnostics[0]!.message, /unknown step 'ghost'/);
    assert.equal(unknown.diagnostics[0]!.line, 5);

    const dup = parseWorkflowText('d.yaml', 'name: d\nsteps:\n  - { name: a, command: x }\n  - { name: a, command: y }\n');
    assert.match(dup.diagnostics[0]!.message, /duplicate step name 'a'/);
    assert.equal(dup.diagnostics[0]!.line, 4);

    const cycle = parseWorkflowText('c.yaml', 'name: c\ntype: parallel\nsteps:\n  - { name: a, command: x, depends_on: [c] }\n  - { name: b, command: x, depends_on: [a] }\n  - { name: c, command: x, depends_on: [b] }\n');
    assert.equal(cycle.workflow, undefined);
    assert.match(cycle.diagnostics[0]!.message, /dependency cycle: a → c → b → a/);
  });

  it('reports YAML syntax errors, duplicate keys and invalid conditions with lines', () => {
    const syntax = parseWorkflowText('s.yaml', 'name: s\nsteps:\n  - name: [unclosed\n');
    assert.equal(syntax.workflow, undefined);
    assert.ok(syntax.diagnostics[0]!.line! >= 3);
    const dupKey = parseWorkflowText('k.yaml', 'name: a\nname: b\nsteps: []\n');
    assert.match(dupKey.diagnostics[0]!.message, /unique/i);
    assert.equal(dupKey.diagnostics[0]!.line, 2);
    const cond = parseWorkflowText('c.yaml', "name: c\ntype: conditional\nconditions:\n  - condition: branch == 'main\n    workflow: x\n");
    assert.match(cond.diagnostics[0]!.message, /invalid condition: unterminated string/);
    assert.equal(cond.diagnostics[0]!.line, 4);
  });

  it('refuses a YAML alias bomb instead of expanding it', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 9; i++) lines.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`);
    const parsed = parseWorkflowText('bomb.yaml', `${lines.join('\n')}\nname: bomb\nsteps: []\n`);
    assert.equal(parsed.workflow, undefined);
    assert.match(parsed.diagnostics[0]!.message, /cannot read the YAML/);
  });

  it('rejects a step with both command and task and a backup strategy without a backup agent', () => {
    const { diagnostics } = parseWorkflowText('x.yaml', 'name: x\nsteps:\n  - { name: a, command: x, task: y }\n  - { name: b, agent_type: qa, task: t, on_error: delegate_to_backup }\n');
    assert.deepEqual(diagnostics.map((d) => d.key).sort(), ['steps.0.task', 'steps.1.backup_agent']);
  });

  it('finds cycles in long chains without recursion', () => {
    const steps = Array.from({ length: 20_000 }, (_, i) => ({ name: `s${i}`, dependsOn: i === 0 ? ['s19999'] : [`s${i - 1}`] }));
    assert.equal(findCycle(steps)?.length, 20_001);
    steps[0]!.dependsOn = [];
    assert.equal(findCycle(steps), undefined);
  });

  it('validates every shipped template and demo workflow', async () => {
    const dir = join(repo, 'resources/workflows');
    const files = [...(await readdir(dir)).map((n) => join(dir, n)), ...(await listWorkflowFiles(join(repo, 'demo')))];
    assert.ok(files.length >= 8);
    for (const file of files) assert.deepEqual((await loadWorkflowFile(file)).diagnostics, [], file);
  });

  it('selects the branch of a conditional workflow and follows it to a file by name', async () => {
    const root = await tempDir();
    const dir = join(root, '.claude-pm', 'workflows');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'pipeline.yaml'), "name: pipeline\ntype: conditional\nconditions:\n  - { condition: \"branch == 'main'\", workflow: prod }\n  - { condition: 'pull_request == True', workflow: pr_checks }\ndefault_workflow: quick\n");
    await writeFile(join(dir, 'prod.yml'), 'name: prod\nsteps:\n  - { name: deploy, command: echo deploy }\n');
    await writeFile(join(dir, 'checks-for-prs.yaml'), 'name: pr_checks\nsteps:\n  - { name: test, command: echo test }\n');
    await writeFile(join(dir, 'quick.yaml'), 'name: quick\nsteps:\n  - { name: q, command: echo q }\n');
    assert.deepEqual(await listWorkflowFiles(root), ['checks-for-prs.yaml', 'pipeline.yaml', 'prod.yml', 'quick.yaml'].map((n) => join(dir, n)));

    const main = await resolveWorkflow(join(dir, 'pipeline.yaml'), { branch: 'main' });
    assert.equal(main.workflow.name, 'prod');
    assert.deepEqual(main.selectedVia, [{ workflow: 'pipeline', selected: 'prod' }]);
    assert.equal((await resolveWorkflow(join(dir, 'pipeline.yaml'), { branch: 'feature', pull_request: true })).workflow.name, 'pr_checks');
    assert.equal((await resolveWorkflow(join(dir, 'pipeline.yaml'), {})).workflow.name, 'quick');
    const parsed = await loadWorkflowFile(join(dir, 'pipeline.yaml'));
    assert.equal(selectBranch(parsed.workflow!, { branch: 'main' }), 'prod');

    await writeFile(join(dir, 'loop.yaml'), 'name: loop\ntype: conditional\ndefault_workflow: loop\n');
    await assert.rejects(resolveWorkflow(join(dir, 'loop.yaml'), {}), /nest deeper/);
    await writeFile(join(dir, 'lost.yaml'), 'name: lost\ntype: conditional\ndefault_workflow: nowhere\n');
    await assert.rejects(resolveWorkflow(join(dir, 'lost.yaml'), {}), /'nowhere' was not found/);
    await writeFile(join(dir, 'broken.yaml'), 'name: [\n');
    await assert.rejects(resolveWorkflow(join(dir, 'broken.yaml'), {}), (e: unknown) => e instanceof WorkflowError && e.diagnostics.length > 0);
  });
});

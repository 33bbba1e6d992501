import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cli } from '../helpers/runCli';
import { tempDir } from '../helpers/tempDir';

async function workspace(files: Record<string, string>): Promise<string> {
  const root = await tempDir();
  await mkdir(join(root, '.claude-pm', 'workflows'), { recursive: true });
  await writeFile(join(root, '.claude-pm', 'config.json'), JSON.stringify({ agents: { runner: 'command', commands: { qa: 'echo qa says {task}', ops: 'exit 3' } } }));
  for (const [name, text] of Object.entries(files)) await writeFile(join(root, '.claude-pm', 'workflows', name), text);
  return root;
}

const env = { HOME: '/nonexistent-home', PATH: process.env.PATH };

describe('claude-pm workflow', () => {
  it('runs a workflow and reports run id, status and steps as JSON', async () => {
    const root = await workspace({
      'build.yaml': 'name: build\nsteps:\n  - { name: prepare, command: "echo prepared" }\n  - { name: test, agent_type: qa, task: "run tests" }\n',
    });
    const { code, stdout, stderr } = await cli(['workflow', 'run', '.claude-pm/workflows/build.yaml', '--format', 'json'], { cwd: root, env });
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout);
    assert.equal(result.status, 'succeeded');
    assert.match(result.id, /^\d{8}-\d{6}-build-[0-9a-f]{8}$/);
    assert.deepEqual(
      result.steps.map((s: { name: string; status: string; attempts: number }) => [s.name, s.status, s.attempts]),
      [
        ['prepare', 'succeeded', 1],
        ['test', 'succeeded', 1],
      ],
    );
    assert.equal(result.steps[0].outputTail, 'prepared\n');
    // Shell commands use no tokens; the spend fields are there all the same.
    assert.deepEqual(result.usage, { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 });
    assert.deepEqual([result.costUsd, result.toolCalls, result.subagents], [null, 0, 0]);
    assert.deepEqual(result.steps[1].usage, result.usage);
    assert.match(result.steps[1].outputTail, /qa says/);
    assert.match(stderr, /\[prepare · command\] prepared/);
    const runs = await readdir(join(root, '.claude-pm', 'runs'));
    assert.deepEqual(runs.sort(), [`${result.id}.json`, `${result.id}.log`]);

    const listed = await cli(['workflow', 'runs', '--format', 'json'], { cwd: root, env });
    assert.equal(JSON.parse(listed.stdout).runs[0].id, result.id);
  });

  it('gives agents the relevant memories and keeps a failed step as an error memory', async () => {
    const root = await workspace({ 'qa.yaml': 'name: qa-run\nsteps:\n  - { name: test, agent_type: qa, task: "run the pnpm test suite" }\n  - { name: broken, agent_type: ops, task: "deploy the pnpm build", depends_on: [] }\n' });
    const added = await cli(['memory', 'add', '--category', 'pattern', 'Always run the pnpm test suite with --frozen-lockfile'], { cwd: root, env });
    assert.equal(added.code, 0, added.stderr);
    const { stdout, stderr } = await cli(['workflow', 'run', '.claude-pm/workflows/qa.yaml', '--format', 'json'], { cwd: root, env });
    const result = JSON.parse(stdout);
    const test = result.steps.find((s: { name: string }) => s.name === 'test');
    assert.equal(test.memories.length, 1, stderr);
    assert.equal(test.memories[0].category, 'pattern');
    assert.match(test.outputTail, /Relevant project memory[\s\S]*frozen-lockfile/);
    assert.match(stderr, /\[test · qa\] memory \[pattern\]/);
    const list = JSON.parse((await cli(['memory', 'list', '--format', 'json'], { cwd: root, env })).stdout) as { category: string; content: string }[];
    // The step that succeeded is routine: it stays in the run history, not in memory.
    assert.ok(!list.some((m) => /qa-run › test/.test(m.content)));
    assert.ok(list.some((m) => m.category === 'error' && /Failed: qa-run › broken[\s\S]*exited with code 3/.test(m.content)));
    const skipped = await cli(['workflow', 'run', '.claude-pm/workflows/qa.yaml', '--skip-memory', '--format', 'json'], { cwd: root, env });
    assert.deepEqual(JSON.parse(skipped.stdout).steps[0].memories, []);
  });

  it('exits 1 when a step fails and shows why', async () => {
    const root = await workspace({ 'deploy.yaml': 'name: deploy\nsteps:\n  - { name: ship, agent_type: ops, task: ship it }\n  - { name: verify, agent_type: qa, task: check }\n' });
    const { code, stdout } = await cli(['workflow', 'run', '.claude-pm/workflows/deploy.yaml'], { cwd: root, env });
    assert.equal(code, 1);
    assert.match(stdout, /deploy: failed/);
    assert.match(stdout, /✗ ship\s+failed.*exited with code 3/);
    assert.match(stdout, /- verify\s+skipped/);
  });

  it('reports a run whose steps all failed under on_error: continue as completed with failures, exit 1 unless accepted', async () => {
    const steps = 'steps:\n  - { name: a, agent_type: ops, task: one, on_error: continue }\n  - { name: b, command: "exit 4", on_error: continue }\n';
    const root = await workspace({ 'lenient.yaml': `name: lenient\n${steps}`, 'accepted.yaml': `name: accepted\naccept_failures: true\n${steps}` });
    const lenient = await cli(['workflow', 'run', '.claude-pm/workflows/lenient.yaml', '--format', 'json'], { cwd: root, env });
    assert.equal(lenient.code, 1, lenient.stderr);
    const record = JSON.parse(lenient.stdout);
    assert.equal(record.status, 'completed_with_failures');
    assert.equal(record.error, 'a, b did not succeed');
    const text = await cli(['workflow', 'run', '.claude-pm/workflows/lenient.yaml'], { cwd: root, env });
    assert.match(text.stdout, /^lenient: completed with failures \(a, b did not succeed\)/);
    const accepted = await cli(['workflow', 'run', '.claude-pm/workflows/accepted.yaml'], { cwd: root, env });
    assert.equal(accepted.code, 0, accepted.stderr);
    assert.match(accepted.stdout, /^accepted: completed with failures, failures accepted/);
    const saved = JSON.parse(await readFile(join(root, '.claude-pm', 'runs', `${record.id}.json`), 'utf8'));
    assert.equal(saved.status, 'completed_with_failures');
  });

  it('selects a conditional branch from --context values', async () => {
    const root = await workspace({
      'pipeline.yaml': "name: pipeline\ntype: conditional\nconditions:\n  - { condition: \"branch == 'main' && pull_request == false\", workflow: prod }\ndefault_workflow: other\n",
      'prod.yaml': 'name: prod\nsteps:\n  - { name: p, command: echo prod }\n',
      'other.yaml': 'name: other\nsteps:\n  - { name: o, command: echo other }\n',
    });
    const main = await cli(['workflow', 'run', '.claude-pm/workflows/pipeline.yaml', '--context', 'branch=main', '--context', 'pull_request=false', '--format', 'json'], { cwd: root, env });
    assert.equal(JSON.parse(main.stdout).workflow, 'prod');
    assert.deepEqual(JSON.parse(main.stdout).selectedVia, [{ workflow: 'pipeline', selected: 'prod' }]);
    const other = await cli(['workflow', 'run', '.claude-pm/workflows/pipeline.yaml', '--context', 'branch=dev', '--format', 'json'], { cwd: root, env });
    assert.equal(JSON.parse(other.stdout).workflow, 'other');
    const bad = await cli(['workflow', 'run', '.claude-pm/workflows/pipeline.yaml', '--context', 'nokey'], { cwd: root, env });
    assert.equal(bad.code, 2);
  });

  it('validates with line-accurate errors and exit codes', async () => {
    const root = await workspace({
      'ok.yaml': 'name: ok\nsteps:\n  - { name: a, command: x }\n',
      'bad.yaml': 'name: bad\ntype: parallel\nsteps:\n  - name: a\n    command: x\n    depends_on: [missing]\n',
      'cond.yaml': 'name: cond\ntype: conditional\ndefault_workflow: nowhere\n',
    });
    const ok = await cli(['workflow', 'validate', '.claude-pm/workflows/ok.yaml'], { cwd: root, env });
    assert.equal(ok.code, 0);
    assert.match(ok.stdout, /valid sequential workflow 'ok' with 1 step/);
    const bad = await cli(['workflow', 'validate', '.claude-pm/workflows/bad.yaml'], { cwd: root, env });
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /bad\.yaml:6:\d+: steps\.0\.depends_on\.0: 'a' depends on unknown step 'missing'/);
    const cond = await cli(['workflow', 'validate', '.claude-pm/workflows/cond.yaml', '--format', 'json'], { cwd: root, env });
    assert.equal(cond.code, 1);
    assert.match(JSON.parse(cond.stdout).diagnostics[0].message, /'nowhere' was not found/);
    const runBad = await cli(['workflow', 'run', '.claude-pm/workflows/bad.yaml'], { cwd: root, env });
    assert.equal(runBad.code, 1);
    assert.match(runBad.stderr, /unknown step 'missing'/);
    const missing = await cli(['workflow', 'validate'], { cwd: root, env });
    assert.equal(missing.code, 2);
  });
});

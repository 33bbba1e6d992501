import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { simpleGit } from 'simple-git';
import { createLogger } from '../../../src/core/common/logger';
import { loadConfig } from '../../../src/core/config/loadConfig';
import { parseWorkflowText } from '../../../src/core/orchestration/workflowFile';
import { createWorkflowEngine, defaultWorkflowContext, parseContextPairs, runSummary } from '../../../src/core/orchestration/workflowSetup';
import { tempDir } from '../../helpers/tempDir';

async function workspace(config: unknown): Promise<string> {
  const root = await tempDir();
  await mkdir(join(root, '.claude-pm'), { recursive: true });
  await writeFile(join(root, '.claude-pm', 'config.json'), JSON.stringify(config));
  return root;
}

describe('workflow setup', () => {
  it('parses --context pairs into typed values and rejects bad ones', () => {
    assert.deepEqual(parseContextPairs(['branch=main', 'pull_request=True', 'build=42', 'tag=null', 'note=a=b']), { branch: 'main', pull_request: true, build: 42, tag: null, note: 'a=b' });
    assert.throws(() => parseContextPairs(['novalue']), /not key=value/);
    assert.throws(() => parseContextPairs(['1x=2']), /must start with a letter/);
  });

  it('reads the branch from a real git repository and pull-request state from CI variables', async () => {
    const root = await tempDir();
    const git = simpleGit(root);
    await git.init();
    await git.addConfig('user.email', 'dev@example.com').addConfig('user.name', 'Dev');
    await writeFile(join(root, 'f.txt'), 'x');
    await git.add('f.txt').commit('init');
    await git.checkoutLocalBranch('feature/login');
    const { config } = await loadConfig(root, {}, {});
    assert.deepEqual(await defaultWorkflowContext(root, config, {}), { branch: 'feature/login', pull_request: false, ci: false, environment: 'development' });
    const pr = await defaultWorkflowContext(root, config, { CI: 'true', GITHUB_EVENT_NAME: 'pull_request', GITHUB_HEAD_REF: 'fix/bug' });
    assert.equal(pr.pull_request, true);
    assert.equal(pr.branch, 'fix/bug');
    const tag = await defaultWorkflowContext(root, config, { GITHUB_REF_TYPE: 'tag', GITHUB_REF_NAME: 'v1.2.0' });
    assert.equal(tag.tag, 'v1.2.0');
    const outside = await defaultWorkflowContext(await tempDir(), config, {});
    assert.equal(outside.branch, undefined);
  });

  it('builds an engine from the config: command runner, agent pools, limits and run history', async () => {
    const root = await workspace({
      orchestrator: { max_agents: 2, agent_pools: { qa: { instances: 2, strategy: 'least_busy' } } },
      agents: { runner: 'command', commands: { qa: 'echo "qa: $CLAUDE_PM_STEP"' } },
    });
    const { config } = await loadConfig(root, {}, {});
    const { engine, store } = await createWorkflowEngine({ root, config, env: { PATH: process.env.PATH, HOME: root }, logger: createLogger(() => undefined) });
    const parsed = parseWorkflowText('w.yaml', 'name: w\ntype: parallel\nsteps:\n  - { name: t1, agent_type: qa, task: one }\n  - { name: t2, agent_type: qa, task: two }\n  - { name: t3, agent_type: qa, task: three }\n');
    const run = await engine.run({ workflow: parsed.workflow!, steps: parsed.steps });
    assert.equal(run.status, 'succeeded', JSON.stringify(run.steps));
    assert.equal(engine.limiter.peakActive, 2);
    assert.deepEqual(runSummary(run).steps.map((s) => s.outputTail), ['qa: t1\n', 'qa: t2\n', 'qa: t3\n']);
    assert.equal((await store.list()).runs[0]?.id, run.id);
  });

  it('runs workflow steps with the editor\'s command templates, which win over the file per agent type', async () => {
    const root = await workspace({ agents: { runner: 'command', commands: { qa: 'echo file-qa', ops: 'echo file-ops' } } });
    const { config } = await loadConfig(root, { commandTemplates: { qa: 'echo editor-qa' } }, {});
    const { engine } = await createWorkflowEngine({ root, config, env: { PATH: process.env.PATH, HOME: root }, logger: createLogger(() => undefined) });
    const parsed = parseWorkflowText('w.yaml', 'name: w\ntype: sequential\nsteps:\n  - { name: a, agent_type: qa, task: one }\n  - { name: b, agent_type: ops, task: two }\n');
    const run = await engine.run({ workflow: parsed.workflow!, steps: parsed.steps });
    assert.deepEqual(run.steps.map((s) => s.outputTail), ['editor-qa\n', 'file-ops\n']);
  });

  it('warns about an invalid pool setting and runs without it', async () => {
    const root = await workspace({ orchestrator: { agent_pools: { qa: { instances: 0 } } }, agents: { runner: 'command', commands: {} } });
    const { config } = await loadConfig(root, {}, {});
    const warnings: string[] = [];
    const { engine } = await createWorkflowEngine({ root, config, env: { PATH: process.env.PATH, HOME: root }, logger: createLogger((level, line) => level === 'warn' && warnings.push(line)) });
    assert.ok(warnings.some((w) => /orchestrator\.agent_pools\.qa\.instances/.test(w)), warnings.join('\n'));
    const parsed = parseWorkflowText('w.yaml', 'name: w\nsteps:\n  - { name: t, agent_type: qa, task: one }\n');
    const run = await engine.run({ workflow: parsed.workflow!, steps: parsed.steps });
    assert.match(run.steps[0]!.error!, /No command is configured for the agent type 'qa'/);
  });
});

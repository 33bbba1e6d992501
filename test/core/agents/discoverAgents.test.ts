import assert from 'node:assert/strict';
import { cp, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { agentRunRequest, buildAgentPrompt, cliModelFor, formatDelegation } from '../../../src/core/agents/agentPrompt';
import { CORE_AGENT_TYPES, canonicalAgentType } from '../../../src/core/agents/agentTypes';
import { discoverAgents, findAgent } from '../../../src/core/agents/discoverAgents';
import { parseAgentFile } from '../../../src/core/agents/parseAgentFile';
import { defaultSystemAgentsDir } from '../../../src/core/agents/systemAgents';
import { tempDir } from '../../helpers/tempDir';

const FIXTURE_ROLES = resolve(__dirname, '../../../../shared/fixtures/cmpm/framework/agent-roles');

async function workspace(): Promise<{ root: string; home: string }> {
  const base = await tempDir();
  const root = join(base, 'work', 'project');
  const home = join(base, 'home');
  await mkdir(root, { recursive: true });
  await mkdir(home, { recursive: true });
  return { root, home };
}

async function put(path: string, text: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, text);
}

describe('agent files', () => {
  it('reads every real role file of the framework without error', async () => {
    const files = (await readdir(FIXTURE_ROLES)).filter((f) => f.endsWith('-agent.md'));
    assert.ok(files.length >= 10);
    for (const file of files) {
      const { readFile } = await import('node:fs/promises');
      const outcome = parseAgentFile(file, await readFile(join(FIXTURE_ROLES, file), 'utf8'), file.replace(/\.md$/, ''));
      assert.deepEqual(outcome.diagnostics, [], file);
      assert.ok(outcome.agent!.description.length > 10, file);
      assert.ok(outcome.agent!.model, file);
    }
  });

  it('extracts name, description, model and capabilities from the real engineer role', async () => {
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(join(FIXTURE_ROLES, 'engineer-agent.md'), 'utf8');
    const { agent } = parseAgentFile('engineer-agent.md', text, 'engineer-agent');
    assert.equal(agent!.type, 'engineer');
    assert.equal(agent!.name, 'Engineer Agent');
    assert.match(agent!.description, /^Code implementation specialist responsible for ALL source code writing/);
    assert.equal(agent!.model, 'claude-3-sonnet');
    assert.deepEqual(agent!.capabilities, ['Feature Implementation', 'Code Quality', 'Bug Resolution', 'Performance Optimization', 'Inline Documentation']);
    assert.equal(agent!.version, '2.0.0');
  });

  it('takes PREFERRED_MODEL over the trailer, ignores headings in code fences and strips bold descriptions', () => {
    const text = ['# Data Engineer Agent', '', '## 🎯 Primary Role', '**Data Store Specialist**', '', '```bash', '# not a title', '## Not a section', '```', 'PREFERRED_MODEL = "claude-3-haiku"', '**Model Preference**: claude-3-opus'].join('\n');
    const { agent, diagnostics } = parseAgentFile('x.md', text, 'data-agent');
    assert.deepEqual(diagnostics, []);
    assert.equal(agent!.type, 'data-engineer');
    assert.equal(agent!.description, 'Data Store Specialist');
    assert.equal(agent!.model, 'claude-3-haiku');
  });

  it('reads Claude Code subagents with frontmatter, and reports bad YAML and missing fields with lines', () => {
    const ok = parseAgentFile('a.md', '---\nname: code-reviewer\ndescription: Reviews diffs\nmodel: sonnet\ntools: Read, Grep,Glob\ncolor: blue\n---\nYou review code.\n', 'a');
    assert.deepEqual(ok.diagnostics, []);
    assert.equal(ok.agent!.type, 'code-reviewer');
    assert.deepEqual(ok.agent!.tools, ['Read', 'Grep', 'Glob']);
    assert.equal(ok.agent!.body, 'You review code.');
    assert.equal(ok.agent!.format, 'claude-native');

    const bad = parseAgentFile('b.md', '---\nname: x\ndescription: [unclosed\n---\nbody', 'b');
    assert.equal(bad.agent, undefined);
    assert.equal(bad.diagnostics[0]!.severity, 'error');
    assert.match(bad.diagnostics[0]!.message, /not valid YAML/);

    const missing = parseAgentFile('c.md', '---\nname: x\nmodel: 3\n---\nbody', 'c');
    assert.equal(missing.agent, undefined);
    assert.ok(missing.diagnostics.some((d) => d.key === 'description'));
    assert.ok(missing.diagnostics.some((d) => d.key === 'model' && d.line === 3));
  });

  it('skips HTML comments when looking for the description', () => {
    const text = ['# Ops Agent', '<!-- note', '## Not a section -->', '## 🎯 Primary Role', '<!-- Version notes', 'Major: breaking', '-->', '<!-- one line -->', 'Deploys things.'].join('\n');
    const { agent, diagnostics } = parseAgentFile('ops.md', text, 'ops-agent');
    assert.deepEqual(diagnostics, []);
    assert.equal(agent!.description, 'Deploys things.');
  });

  it('warns about a role file without title or role but still loads it', () => {
    const { agent, diagnostics } = parseAgentFile('qa.md', 'Just some notes\n', 'my_helper');
    assert.equal(agent!.type, 'my-helper');
    assert.equal(agent!.name, 'My Helper Agent');
    assert.equal(diagnostics.length, 2);
    assert.ok(diagnostics.every((d) => d.severity === 'warning'));
  });

  it('canonicalises the framework names of agent types', () => {
    assert.equal(canonicalAgentType('version_control'), 'version-control');
    assert.equal(canonicalAgentType('Version Control'), 'version-control');
    assert.equal(canonicalAgentType('data-agent.md'), 'data-engineer');
    assert.equal(canonicalAgentType('pm-orchestrator-agent'), 'pm-orchestrator');
    assert.equal(canonicalAgentType('operations'), 'ops');
  });
});

describe('agent discovery', () => {
  it('ships the ten core system agents and base_agent.md', async () => {
    const { root, home } = await workspace();
    const catalog = await discoverAgents({ projectRoot: root, homeDir: home, systemDir: defaultSystemAgentsDir() });
    assert.deepEqual(catalog.diagnostics, []);
    assert.deepEqual(catalog.agents.map((a) => a.type).sort(), [...CORE_AGENT_TYPES].sort());
    assert.ok(catalog.agents.every((a) => a.tier === 'system' && a.description && a.capabilities.length >= 3));
    assert.match(catalog.baseAgent!.text, /^# Base Agent Instructions/);
  });

  it('names current model aliases in the built-in agents, never a retired model', async () => {
    const { root, home } = await workspace();
    const catalog = await discoverAgents({ projectRoot: root, homeDir: home, systemDir: defaultSystemAgentsDir() });
    for (const agent of catalog.agents) assert.ok(agent.model === undefined || ['sonnet', 'opus', 'haiku', 'inherit'].includes(agent.model), `${agent.type}: ${agent.model}`);
  });

  it('resolves project over user over system and records what each winner shadows', async () => {
    const { root, home } = await workspace();
    await cp(FIXTURE_ROLES, join(root, '.claude-pm', 'agents', 'project-specific'), { recursive: true });
    await put(join(home, '.claude-pm', 'agents', 'user-defined', 'qa-agent.md'), '# QA Agent\n\n## 🎯 Primary Role\nUser QA\n');
    await put(join(home, '.claude-pm', 'agents', 'user-defined', 'reviewer-agent.md'), '# Reviewer Agent\n\n## 🎯 Primary Role\nReviews\n');
    const catalog = await discoverAgents({ projectRoot: root, homeDir: home, systemDir: defaultSystemAgentsDir() });

    const qa = findAgent(catalog, 'QA')!;
    assert.equal(qa.tier, 'project');
    assert.deepEqual(qa.shadows.map((s) => s.tier), ['user', 'system']);
    assert.equal(findAgent(catalog, 'reviewer')!.tier, 'user');
    assert.equal(findAgent(catalog, 'ticketing')!.tier, 'system');
    assert.equal(findAgent(catalog, 'data_engineer')!.tier, 'project');
    // The fixture folder holds both engineer-agent.md and the older engineer.md profile: the canonical file wins.
    const engineer = findAgent(catalog, 'engineer')!;
    assert.ok(engineer.filePath.endsWith('engineer-agent.md'));
    assert.ok(engineer.shadows[0]!.filePath.endsWith('engineer.md'));
    assert.ok(catalog.diagnostics.some((d) => d.file.endsWith('engineer.md') && /same tier/.test(d.message)));
    // The project's base_agent.md (the framework's) wins over the shipped one; the template is not an agent.
    assert.match(catalog.baseAgent!.text, /Claude PM Framework/);
    assert.equal(catalog.baseAgent!.tier, 'project');
    assert.equal(findAgent(catalog, 'agent-template'), undefined);
    assert.deepEqual(catalog.agents.map((a) => a.tier), [...catalog.agents.map((a) => a.tier)].sort((a, b) => ['project', 'user', 'system'].indexOf(a) - ['project', 'user', 'system'].indexOf(b)));
  });

  it('finds Claude Code subagents, parent-folder user agents, and keeps going past broken files', async () => {
    const { root, home } = await workspace();
    await put(join(root, '.claude', 'agents', 'reviewer.md'), '---\nname: reviewer\ndescription: Reviews\ntools: Read\n---\nReview.');
    await put(join(root, '.claude', 'agents', 'broken.md'), '---\nname: [\n---\n');
    await put(join(root, '..', '.claude-pm', 'agents', 'user-agents', 'shared-agent.md'), '# Shared Agent\n\n## Role\nShared by the team\n');
    await put(join(root, '.claude-pm', 'agents', 'project-specific', 'huge-agent.md'), `# Huge Agent\n${'x'.repeat(1024 * 1024 + 10)}`);
    await put(join(root, '.claude-pm', 'agents', 'project-specific', 'qa-agent.md.backup'), '# Old');
    const catalog = await discoverAgents({ projectRoot: root, homeDir: home });
    assert.equal(findAgent(catalog, 'reviewer')!.format, 'claude-native');
    assert.equal(findAgent(catalog, 'shared')!.tier, 'user');
    assert.equal(findAgent(catalog, 'shared')!.description, 'Shared by the team');
    assert.equal(findAgent(catalog, 'huge'), undefined);
    assert.ok(catalog.diagnostics.some((d) => d.file.endsWith('broken.md') && d.severity === 'error'));
    assert.ok(catalog.diagnostics.some((d) => d.file.endsWith('huge-agent.md') && /limit/.test(d.message)));
    assert.equal(catalog.agents.length, 2);
  });

  it('reads a folder once when the project is the home folder', async () => {
    const { home } = await workspace();
    await put(join(home, '.claude', 'agents', 'helper.md'), '---\nname: helper\ndescription: Helps\n---\nHelp.');
    const catalog = await discoverAgents({ projectRoot: home, homeDir: home });
    assert.equal(catalog.agents.length, 1);
    assert.equal(catalog.agents[0]!.tier, 'project');
    assert.deepEqual(catalog.agents[0]!.shadows, []);
    assert.deepEqual(catalog.diagnostics, []);
  });

  it('discovers thousands of agent files', async () => {
    const { root, home } = await workspace();
    const dir = join(root, '.claude-pm', 'agents', 'project-specific');
    await mkdir(dir, { recursive: true });
    await Promise.all(Array.from({ length: 3_000 }, (_, i) => writeFile(join(dir, `a${i}-agent.md`), `# A${i} Agent\n\n## 🎯 Primary Role\nAgent ${i}\n\n## 🔧 Core Capabilities\n- **Cap**: x\n`)));
    const catalog = await discoverAgents({ projectRoot: root, homeDir: home });
    assert.equal(catalog.agents.length, 3_000);
    assert.equal(findAgent(catalog, 'a2999')!.description, 'Agent 2999');
  });
});

describe('agent prompts', () => {
  it('prepends base_agent.md and formats the delegation as CLAUDE.md does', async () => {
    const { root, home } = await workspace();
    const catalog = await discoverAgents({ projectRoot: root, homeDir: home, systemDir: defaultSystemAgentsDir() });
    const qa = findAgent(catalog, 'qa')!;
    const prompt = buildAgentPrompt(qa, catalog.baseAgent);
    assert.ok(prompt.startsWith('# Base Agent Instructions'));
    assert.ok(prompt.indexOf('# QA Agent') > prompt.indexOf('Report Format'));
    const text = formatDelegation({ agent: qa, task: 'Run the tests\nthen report', ticketId: 'ISS-0042', now: new Date('2026-01-02T03:04:05Z') });
    assert.equal(text.split('\n')[0], '**QA Agent**: Run the tests');
    assert.match(text, /TEMPORAL CONTEXT: Today is 2026-01-02\./);
    assert.match(text, /\*\*Ticket Reference\*\*: ISS-0042/);
    assert.match(text, /\*\*Task\*\*: Run the tests\nthen report/);
    const request = agentRunRequest(catalog, qa, { task: 'x', cwd: root });
    assert.equal(request.model, 'sonnet');
    assert.equal(request.agentType, 'qa');
    assert.equal(request.systemPrompt, prompt);
  });

  it('maps retired model names to family aliases and keeps current ones', () => {
    assert.equal(cliModelFor('claude-3-opus'), 'opus');
    assert.equal(cliModelFor('claude-3-5-sonnet'), 'sonnet');
    assert.equal(cliModelFor('claude-sonnet-4-20250514'), 'claude-sonnet-4-20250514');
    assert.equal(cliModelFor('inherit'), undefined);
    assert.equal(cliModelFor(undefined), undefined);
  });
});

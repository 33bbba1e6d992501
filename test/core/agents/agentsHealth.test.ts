import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { agentsComplianceItems, collectAgentsDiagnostics } from '../../../src/core/agents/agentsHealth';
import { tempDir } from '../../helpers/tempDir';

const CLAUDE = resolve(__dirname, '../../../node_modules/.bin/claude');

describe('agents health', () => {
  it('counts agents per tier, finds the CLI with its version and passes every check', async () => {
    const root = await tempDir();
    const home = await tempDir();
    await mkdir(join(root, '.claude-pm', 'agents', 'project-specific'), { recursive: true });
    await writeFile(join(root, '.claude-pm', 'agents', 'project-specific', 'qa-agent.md'), '# QA Agent\n\n## 🎯 Primary Role\nProject QA\n');
    const report = await collectAgentsDiagnostics(root, { homeDir: home, claudePath: CLAUDE, env: { ...process.env, HOME: home } });
    assert.deepEqual(report.perTier, { project: 1, user: 0, system: 9 });
    assert.equal(report.shadowed, 1);
    assert.deepEqual(report.missingCoreTypes, []);
    assert.equal(report.claude.found, true);
    assert.match(report.claude.version!, /^\d+\.\d+\.\d+/);
    const items = agentsComplianceItems(report);
    assert.deepEqual(items.map((i) => [i.id, i.passed]), [['agents.resolvable', true], ['agents.files-valid', true], ['agents.claude-cli', true]]);
  });

  it('fails the checks when core agents are missing, files are broken and the CLI is absent', async () => {
    const root = await tempDir();
    const home = await tempDir();
    const emptySystem = await tempDir();
    await mkdir(join(root, '.claude', 'agents'), { recursive: true });
    await writeFile(join(root, '.claude', 'agents', 'bad.md'), '---\nname: bad\n---\nno description');
    const report = await collectAgentsDiagnostics(root, { homeDir: home, systemDir: emptySystem, claudePath: 'claude-not-installed', env: { PATH: '/nonexistent', HOME: home } });
    assert.equal(report.missingCoreTypes.length, 10);
    assert.equal(report.claude.found, false);
    const items = Object.fromEntries(agentsComplianceItems(report).map((i) => [i.id, i]));
    assert.equal(items['agents.resolvable']!.passed, false);
    assert.match(items['agents.resolvable']!.detail, /engineer, qa, ops/);
    assert.equal(items['agents.files-valid']!.passed, false);
    assert.match(items['agents.files-valid']!.detail, /bad\.md/);
    assert.equal(items['agents.claude-cli']!.passed, false);
    assert.match(items['agents.claude-cli']!.fixHint!, /npm install -g @anthropic-ai\/claude-code/);
  });

  it('does not ask for the CLI when agents run configured commands', async () => {
    const root = await tempDir();
    const home = await tempDir();
    await mkdir(join(root, '.claude-pm'), { recursive: true });
    await writeFile(join(root, '.claude-pm', 'config.json'), JSON.stringify({ agents: { runner: 'command', commands: { qa: 'npm test' } } }));
    const report = await collectAgentsDiagnostics(root, { homeDir: home, claudePath: 'claude-not-installed', env: { PATH: '/nonexistent', HOME: home } });
    const cli = agentsComplianceItems(report).find((i) => i.id === 'agents.claude-cli')!;
    assert.equal(cli.passed, true);
    assert.equal(cli.fixHint, undefined);
    assert.match(cli.detail, /not needed/);
  });
});

import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig, parseConfigText } from '../../../src/core/config/loadConfig';
import { tempDir } from '../../helpers/tempDir';

async function workspaceWith(config: string): Promise<string> {
  const root = await tempDir();
  await mkdir(join(root, '.claude-pm'), { recursive: true });
  await writeFile(join(root, '.claude-pm', 'config.json'), config);
  return root;
}

describe('loadConfig', () => {
  it('uses development defaults when there is no config file', async () => {
    const root = await tempDir();
    const { config, diagnostics } = await loadConfig(root, {}, {});
    assert.deepEqual(diagnostics, []);
    assert.equal(config.environment, 'development');
    assert.equal(config.memory.backend, 'embedded');
    assert.equal(config.memory.baseUrl, 'http://localhost:8002');
    assert.equal(config.orchestrator.maxConcurrentAgents, 5);
    assert.equal(config.health.intervalMs, 300_000);
  });

  it('applies CMPM_ENVIRONMENT production defaults and MEM0AI_* variables', async () => {
    const root = await workspaceWith(JSON.stringify({ environment: 'testing' }));
    const { config } = await loadConfig(root, {}, { CMPM_ENVIRONMENT: 'production', MEM0AI_HOST: 'mem.example', MEM0AI_PORT: '443', MEM0AI_USE_TLS: 'true' });
    assert.equal(config.environment, 'production');
    assert.equal(config.orchestrator.maxConcurrentAgents, 20);
    assert.equal(config.orchestrator.agentTimeoutMs, 600_000);
    assert.equal(config.memory.timeoutMs, 60_000);
    assert.equal(config.memory.baseUrl, 'https://mem.example:443');
    assert.equal(config.memory.verifyTls, true);
  });

  it('lets settings overrides win over the file but not over CMPM_ENVIRONMENT', async () => {
    const root = await workspaceWith(JSON.stringify({ environment: 'testing', orchestrator: { max_agents: 7 } }));
    const { config } = await loadConfig(root, { environment: 'production', maxConcurrentAgents: 2 }, {});
    assert.equal(config.environment, 'production');
    assert.equal(config.orchestrator.maxConcurrentAgents, 2);
  });

  it('reads logging.level in the framework\'s Python names, else the environment\'s default', async () => {
    const root = await workspaceWith(JSON.stringify({ logging: { level: 'WARNING' }, templates: { target: 'project' } }));
    const { config } = await loadConfig(root, { templatesTarget: 'claudePmDir' }, {});
    assert.equal(config.logLevel, 'warn');
    assert.equal(config.templates.target, 'claudePmDir');
    assert.equal((await loadConfig(root, {}, {})).config.templates.target, 'project');
    const unknown = await workspaceWith(JSON.stringify({ logging: { level: 'loud' } }));
    assert.equal((await loadConfig(unknown, {}, { CMPM_ENVIRONMENT: 'testing' })).config.logLevel, 'debug');
    assert.equal((await loadConfig(unknown, {}, { CMPM_ENVIRONMENT: 'production' })).config.logLevel, 'warn');
  });

  it('keeps unknown keys and the real framework fields', async () => {
    const root = await workspaceWith(JSON.stringify({ deployment_type: 'working_directory', custom: { a: 1 }, memory_service: { host: 'h', extra: true } }));
    const { config, diagnostics } = await loadConfig(root, {}, {});
    assert.deepEqual(diagnostics, []);
    assert.deepEqual((config.file as Record<string, unknown>).custom, { a: 1 });
    assert.equal((config.file.memory_service as Record<string, unknown>).extra, true);
    assert.equal(config.file.deployment_type, 'working_directory');
  });

  it('reports malformed JSON with its line and keeps working on defaults', async () => {
    const root = await workspaceWith('{\n  "environment": "testing",\n  oops\n}');
    const { config, diagnostics } = await loadConfig(root, {}, {});
    assert.equal(config.environment, 'development');
    assert.equal(diagnostics.length, 1);
    assert.match(diagnostics[0]!.file, /config\.json$/);
    assert.equal(diagnostics[0]!.line, 3);
  });

  it('names the key and what is expected for an invalid value, keeping the valid rest', () => {
    const { file, diagnostics } = parseConfigText('/w/.claude-pm/config.json', JSON.stringify({ environment: 'staging', orchestrator: { max_agents: 'many' }, health: { interval_seconds: 60 } }));
    assert.deepEqual(diagnostics.map((d) => d.key).sort(), ['environment', 'orchestrator.max_agents']);
    assert.match(diagnostics.find((d) => d.key === 'environment')!.message, /development|testing|production/);
    assert.equal(file.health?.interval_seconds, 60);
    assert.equal(file.environment, undefined);
  });

  it('rejects a non-object top level', () => {
    const { diagnostics } = parseConfigText('/w/c.json', '[1,2]');
    assert.match(diagnostics[0]!.message, /JSON object/);
  });
});

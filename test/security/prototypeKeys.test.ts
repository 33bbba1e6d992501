import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseConfigText } from '../../src/core/config/loadConfig';
import { conditionHolds } from '../../src/core/orchestration/expression';
import { parseContextPairs } from '../../src/core/orchestration/workflowSetup';
import { parsePolicy, permissionsOf, roleOf } from '../../src/core/security/policy';
import { FRAMEWORK_HEADER } from '../../src/core/templates/metadata';
import { normalizeStatus } from '../../src/core/tickets/status';
import { cli } from '../helpers/runCli';
import { tempDir } from '../helpers/tempDir';

// Every name a plain object answers without owning it, plus the two that change an object's prototype when assigned.
const NAMES = [...new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__', 'prototype'])];
const name = fc.constantFrom(...NAMES);
// JSON files (config, policy) refuse a `__proto__` key with its line: no copy of the value could keep it.
const dataName = fc.constantFrom(...NAMES.filter((n) => n !== '__proto__'));
const env = { HOME: '/nonexistent-home', PATH: process.env.PATH };
const json = <T>(stdout: string) => JSON.parse(stdout) as T;

async function workspace(files: Record<string, string>): Promise<string> {
  const root = await tempDir('claude-pm-proto-');
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

describe('prototype-named keys are plain data everywhere', () => {
  it('covers every Object.prototype name', () => {
    for (const n of ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__', '__defineGetter__', 'prototype']) assert.ok(NAMES.includes(n), n);
  });

  it('as a ticket field and status: listed, shown and filtered like any other value', async () => {
    await fc.assert(
      fc.asyncProperty(name, async (key) => {
        const cwd = await workspace({
          'tasks/issues/ISS-0001-proto.md': `---\nissue_id: ISS-0001\ntitle: Proto ${key}\nstatus: ${key}\npriority: ${key}\n${key}: ${key}\n---\n\n# Proto\n`,
        });
        const listed = await cli(['tickets', 'list', '--format', 'json'], { cwd, env });
        assert.equal(listed.code, 0, listed.stderr);
        const [ticket] = json<{ id: string; status: string; normalized_status: string }[]>(listed.stdout);
        assert.deepEqual([ticket?.id, ticket?.status, ticket?.normalized_status], ['ISS-0001', key, 'open']);
        const filtered = await cli(['tickets', 'list', '--status', key, '--format', 'json'], { cwd, env });
        assert.equal(filtered.code, 0, filtered.stderr);
        assert.equal(json<unknown[]>(filtered.stdout).length, 1);
        const shown = await cli(['tickets', 'show', 'ISS-0001'], { cwd, env });
        assert.equal(shown.code, 0, shown.stderr);
        assert.equal(normalizeStatus(key), 'open');
      }),
      { numRuns: NAMES.length * 2 },
    );
  });

  it('as a template variable: configured values render, unconfigured ones are refused', async () => {
    await fc.assert(
      fc.asyncProperty(dataName, fc.stringMatching(/^[a-z]{1,12}$/), async (key, value) => {
        const template = `${FRAMEWORK_HEADER}\n<!--\nCLAUDE_MD_VERSION: 016\n-->\nvalue: {{${key}}}\n`;
        const configured = await workspace({ 'project/.claude-pm/config.json': JSON.stringify({ template_variables: { [key]: value } }), 'master.md': template });
        const deployed = await cli(['deploy', '--template', join(configured, 'master.md'), '--format', 'json'], { cwd: join(configured, 'project'), env });
        assert.equal(deployed.code, 0, deployed.stderr);
        assert.match(await readFile(join(configured, 'CLAUDE.md'), 'utf8'), new RegExp(`^value: ${value}$`, 'm'));

        const missing = await workspace({ 'project/.claude-pm/config.json': '{}', 'master.md': template });
        const refused = await cli(['deploy', '--template', join(missing, 'master.md')], { cwd: join(missing, 'project'), env });
        assert.equal(refused.code, 1);
        assert.match(refused.stderr, new RegExp(`unknown template variable \\{\\{${key}\\}\\}`));
      }),
      { numRuns: NAMES.length * 2 },
    );
  });

  it('as a workflow context key: set keys compare by value, unset keys read as null', () => {
    fc.assert(
      fc.property(name, fc.stringMatching(/^[a-z]{1,12}$/), (key, value) => {
        const context = parseContextPairs([`${key}=${value}`]);
        assert.deepEqual(Object.keys(context), [key]);
        assert.ok(conditionHolds(`${key} == '${value}'`, context));
        assert.ok(conditionHolds(`${key} == null`, parseContextPairs([])));
        assert.ok(conditionHolds(`steps.${key}.status == null`, context));
      }),
      { numRuns: NAMES.length * 4 },
    );
  });

  it('as a workflow step, agent type and condition in a real run: the branch taken follows the --context value', async () => {
    await fc.assert(
      fc.asyncProperty(dataName, fc.boolean(), async (key, taken) => {
        // The key also names a step, an agent type with its own command and a per-agent limit.
        const cwd = await workspace({
          '.claude-pm/config.json': JSON.stringify({ agents: { runner: 'command', commands: { [key]: 'echo agent' } }, orchestrator: { per_agent_limits: { qa: 1 } } }),
          '.claude-pm/workflows/w.yaml': `name: w\nsteps:\n  - { name: ${key}, agent_type: ${key}, task: "first" }\n  - { name: maybe, command: "echo maybe", depends_on: [${key}], condition: "${key} == 'yes' && steps.${key}.status == 'succeeded'" }\n`,
        });
        const run = await cli(['workflow', 'run', '.claude-pm/workflows/w.yaml', '--context', `${key}=${taken ? 'yes' : 'no'}`, '--skip-memory', '--format', 'json'], { cwd, env });
        assert.equal(run.code, 0, run.stderr);
        const steps = json<{ steps: { name: string; status: string }[] }>(run.stdout).steps;
        assert.equal(steps.find((s) => s.name === 'maybe')?.status, taken ? 'succeeded' : 'skipped');
      }),
      { numRuns: 6 },
    );
  });

  it('as a policy user and role: roles resolve to their own permissions only', async () => {
    await fc.assert(
      fc.asyncProperty(dataName, async (key) => {
        const text = JSON.stringify({ default_role: 'viewer', users: { [key]: key, 'dev@example.com': 'developer' }, roles: { [key]: ['health.check', 'ticket.write'] } });
        const policy = parsePolicy('policy.json', text);
        assert.equal(roleOf(policy, key), key);
        assert.deepEqual(permissionsOf(policy, key), ['health.check', 'ticket.write']);
        assert.equal(roleOf(policy, 'dev@example.com'), 'developer');
        assert.equal(roleOf(policy, 'nobody'), 'viewer');
        // A role name the policy never defines grants nothing, whatever a plain object would answer for it.
        assert.deepEqual(permissionsOf(parsePolicy('policy.json', '{}'), key), []);
        assert.throws(() => parsePolicy('policy.json', JSON.stringify({ default_role: key })), /unknown role/);

        const cwd = await workspace({ '.claude-pm/policy.json': text });
        const whoami = await cli(['security', 'whoami', '--format', 'json'], { cwd, env: { ...env, CLAUDE_PM_ACTOR: key } });
        assert.equal(whoami.code, 0, whoami.stderr);
        assert.deepEqual(json<{ role: string; permissions: string[] }>(whoami.stdout).permissions, ['health.check', 'ticket.write']);
      }),
      { numRuns: NAMES.length * 2 },
    );
  });

  it('as a config key at any level: kept as data, the configuration still loads', async () => {
    await fc.assert(
      fc.asyncProperty(dataName, async (key) => {
        const text = JSON.stringify({ [key]: { nested: 1 }, memory_service: { [key]: 2 }, agents: { commands: { [key]: 'echo hi' } }, template_variables: { [key]: 'v' } });
        const { file, diagnostics } = parseConfigText('config.json', text);
        assert.ok(Object.hasOwn(file.template_variables ?? {}, key), `template variable ${key} kept`);
        assert.ok(Object.hasOwn(file.agents?.commands ?? {}, key), `agent command ${key} kept`);
        assert.deepEqual(diagnostics, []);
        const cwd = await workspace({ '.claude-pm/config.json': text });
        const shown = await cli(['config', 'show', '--format', 'json'], { cwd, env });
        assert.equal(shown.code, 0, shown.stderr);
        const config = json<{ config: { templateVariables: Record<string, string>; agents: { commands: Record<string, string> } } }>(shown.stdout).config;
        assert.equal(config.templateVariables[key], 'v');
        assert.equal(config.agents.commands[key], 'echo hi');
      }),
      { numRuns: NAMES.length * 2 },
    );
  });

  it('as memory content, tag, category and query through the CLI', async () => {
    const cwd = await workspace({ '.claude-pm/config.json': '{}' });
    await fc.assert(
      fc.asyncProperty(name, async (key) => {
        const added = await cli(['memory', 'add', '--category', 'pattern', '--tag', key, `remember the ${key} rule`, '--format', 'json'], { cwd, env });
        assert.equal(added.code, 0, added.stderr);
        const custom = await cli(['memory', 'add', '--category', key, `${key} as a category`], { cwd, env });
        assert.ok([0, 1, 2].includes(custom.code) && (custom.code === 0 || /categor/i.test(custom.stderr)), custom.stderr);
        const found = await cli(['memory', 'search', key, '--format', 'json'], { cwd, env });
        assert.equal(found.code, 0, found.stderr);
        assert.ok(JSON.stringify(JSON.parse(found.stdout)).includes(`remember the ${key} rule`));
        const listed = await cli(['memory', 'list', '--format', 'json'], { cwd, env });
        assert.equal(listed.code, 0, listed.stderr);
        assert.equal((await cli(['memory', 'export', 'out.jsonl'], { cwd, env })).code, 0);
      }),
      { numRuns: NAMES.length },
    );
  });

  it('a __proto__ key in a JSON file is refused with its line, never silently dropped', async () => {
    const text = '{\n  "default_role": "viewer",\n  "users": { "__proto__": "admin" }\n}\n';
    assert.throws(() => parsePolicy('policy.json', text), /policy\.json: .*line 3, column 14.*__proto__/);
    const cwd = await workspace({ '.claude-pm/config.json': text });
    const shown = await cli(['config', 'show'], { cwd, env });
    assert.equal(shown.code, 1);
    assert.match(shown.stdout, /config\.json:3:14: .*"__proto__" is not allowed/);
  });
});

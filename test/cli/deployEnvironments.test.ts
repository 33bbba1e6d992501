import assert from 'node:assert/strict';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FRAMEWORK_HEADER } from '../../src/core/templates/metadata';
import { cli } from '../helpers/runCli';
import { tempDir } from '../helpers/tempDir';

// A master that shows which variables an environment applied.
const MASTER = `${FRAMEWORK_HEADER}\n<!--\nCLAUDE_MD_VERSION: 016\n-->\nTeam {{TEAM}}, stage {{STAGE}}\n`;

async function project(config: unknown): Promise<{ dir: string; parentTarget: string }> {
  const root = await tempDir('claude-pm-cli-env-');
  const dir = join(root, 'project');
  await mkdir(join(dir, '.claude-pm'), { recursive: true });
  await writeFile(join(dir, 'master.md'), MASTER);
  await writeFile(join(dir, '.claude-pm', 'config.json'), typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  return { dir, parentTarget: join(root, 'CLAUDE.md') };
}

const ENVIRONMENTS = {
  template_variables: { TEAM: 'Platform', STAGE: 'none' },
  deployment: {
    environments: {
      staging: { variables: { STAGE: 'staging' }, target: 'deploy/staging' },
      production: { variables: { STAGE: 'production' } },
      constructor: { variables: { STAGE: 'constructed' }, target: 'deploy/constructor' },
    },
  },
};

const memories = async (dir: string) => {
  const out = await cli(['memory', 'list', '--category', 'project', '--format', 'json'], { cwd: dir });
  assert.equal(out.code, 0, out.stderr);
  return JSON.parse(out.stdout) as { content: string; category: string; metadata: Record<string, string>; tags: string[] }[];
};

describe('claude-pm deploy --environment / --with-memory', () => {
  it('lists both flags in deploy --help', async () => {
    const out = await cli(['deploy', '--help']);
    assert.equal(out.code, 0);
    assert.match(out.stdout, /--environment VALUE +apply deployment\.environments\.NAME/);
    assert.match(out.stdout, /--with-memory +record the deployment/);
    assert.match(out.stdout, /--target VALUE +deploy into this folder/);
  });

  it("applies the environment's variables and deploys into its target folder inside the project", async () => {
    const { dir, parentTarget } = await project(ENVIRONMENTS);
    const out = await cli(['deploy', '--template', 'master.md', '--environment', 'staging', '--format', 'json'], { cwd: dir });
    assert.equal(out.code, 0, out.stderr);
    const result = JSON.parse(out.stdout);
    assert.equal(result.target, join(dir, 'deploy', 'staging', 'CLAUDE.md'));
    assert.equal(result.environment, 'staging');
    assert.match(await readFile(result.target, 'utf8'), /Team Platform, stage staging/);
    await assert.rejects(readFile(parentTarget), { code: 'ENOENT' });
  });

  it('without a target in the environment, deploys to the usual place with its variables; --target still names a folder', async () => {
    const { dir, parentTarget } = await project(ENVIRONMENTS);
    const out = await cli(['deploy', '--template', 'master.md', '--environment', 'production'], { cwd: dir });
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /Environment: production/);
    assert.match(await readFile(parentTarget, 'utf8'), /stage production/);
    const elsewhere = await cli(['deploy', '--template', 'master.md', '--environment', 'staging', '--target', 'other', '--format', 'json'], { cwd: dir });
    assert.equal(JSON.parse(elsewhere.stdout).target, join(dir, 'other', 'CLAUDE.md'));
    assert.match(await readFile(join(dir, 'other', 'CLAUDE.md'), 'utf8'), /stage staging/);
  });

  it('treats an environment named "constructor" as data, and refuses names only Object.prototype knows', async () => {
    const { dir } = await project(ENVIRONMENTS);
    const declared = await cli(['deploy', '--template', 'master.md', '--environment', 'constructor'], { cwd: dir });
    assert.equal(declared.code, 0, declared.stderr);
    assert.match(await readFile(join(dir, 'deploy', 'constructor', 'CLAUDE.md'), 'utf8'), /stage constructed/);

    const { dir: plain } = await project({ template_variables: { TEAM: 'x', STAGE: 'y' }, deployment: { environments: { dev: {} } } });
    for (const name of ['constructor', 'toString', 'hasOwnProperty', '__proto__']) {
      const out = await cli(['deploy', '--template', 'master.md', '--environment', name], { cwd: plain });
      assert.equal(out.code, 1, `${name}: ${out.stdout}`);
      assert.match(out.stderr, new RegExp(`unknown environment '${name.replace(/_/g, '_')}': .*config\\.json declares 'dev' under deployment\\.environments`));
    }
  });

  it('names the environments it knows, or how to declare one, for an unknown name', async () => {
    const { dir } = await project(ENVIRONMENTS);
    const out = await cli(['deploy', '--template', 'master.md', '--environment', 'prod'], { cwd: dir });
    assert.equal(out.code, 1);
    assert.match(out.stderr, /unknown environment 'prod': .*declares 'staging', 'production', 'constructor'/);
    const { dir: none } = await project({ template_variables: { TEAM: 'x', STAGE: 'y' } });
    const empty = await cli(['deploy', '--template', 'master.md', '--environment', 'prod'], { cwd: none });
    assert.match(empty.stderr, /declares no deployment environments; add "deployment": \{"environments": \{"prod"/);
  });

  it('refuses a config that declares "__proto__", naming the file and line', async () => {
    const text = '{\n  "deployment": {\n    "environments": {\n      "__proto__": { "target": "x" }\n    }\n  }\n}\n';
    const { dir, parentTarget } = await project(text);
    const out = await cli(['deploy', '--template', 'master.md', '--environment', '__proto__'], { cwd: dir });
    assert.equal(out.code, 1);
    assert.match(out.stderr, /config\.json:4:\d+.*"__proto__" is not allowed/);
    await assert.rejects(readFile(parentTarget), { code: 'ENOENT' });
  });

  it('refuses a target that leaves the project: "..", an absolute path, a symbolic link out', async () => {
    const outside = await tempDir('claude-pm-cli-env-outside-');
    const { dir, parentTarget } = await project({
      template_variables: { TEAM: 'x', STAGE: 'y' },
      deployment: { environments: { up: { target: '../escaped' }, absolute: { target: outside }, linked: { target: 'link/inner' } } },
    });
    await symlink(outside, join(dir, 'link'));
    for (const [name, reason] of [['up', /climbs out with '\.\.'/], ['absolute', /is an absolute path/], ['linked', /leads through a symbolic link/]] as const) {
      const out = await cli(['deploy', '--template', 'master.md', '--environment', name], { cwd: dir });
      assert.equal(out.code, 1, name);
      assert.match(out.stderr, new RegExp(`deployment\\.environments\\.${name}\\.target: .*${reason.source}.*; only paths inside the workspace are allowed`));
    }
    await assert.rejects(readFile(join(outside, 'inner', 'CLAUDE.md')), { code: 'ENOENT' });
    await assert.rejects(readFile(parentTarget), { code: 'ENOENT' });
  });

  it('--with-memory records each deployment, its outcome included, as a project memory', async () => {
    const { dir } = await project(ENVIRONMENTS);
    const first = await cli(['deploy', '--template', 'master.md', '--environment', 'staging', '--with-memory', '--format', 'json'], { cwd: dir });
    assert.equal(first.code, 0, first.stderr);
    const recorded = JSON.parse(first.stdout).memory;
    assert.equal(recorded.category, 'project');
    const again = await cli(['deploy', '--template', 'master.md', '--environment', 'staging', '--with-memory'], { cwd: dir });
    assert.match(again.stdout, /unchanged[\s\S]*Recorded in memory as /);
    const list = await memories(dir);
    assert.equal(list.length, 2);
    const byOutcome = new Map(list.map((m) => [m.metadata.outcome, m]));
    const created = byOutcome.get('created')!;
    assert.deepEqual(
      { template: created.metadata.template, version: created.metadata.version, environment: created.metadata.environment, target: created.metadata.target },
      { template: join(dir, 'master.md'), version: '016', environment: 'staging', target: join(dir, 'deploy', 'staging', 'CLAUDE.md') },
    );
    assert.deepEqual(created.tags, ['deployment', 'environment:staging']);
    assert.match(created.content, /^Deployment of CLAUDE\.md version 016 to .*deploy\/staging\/CLAUDE\.md for the staging environment on \d{4}-[^ ]+Z: created$/);
    assert.match(byOutcome.get('unchanged')!.content, /: unchanged \(already at version 016\)$/);
  });

  it('--with-memory still reports a deployment it could not record, and exits 1', async () => {
    const { dir } = await project({ ...ENVIRONMENTS, memory_service: { backend: 'postgres' } });
    const out = await cli(['deploy', '--template', 'master.md', '--environment', 'production', '--with-memory', '--format', 'json'], { cwd: dir });
    assert.equal(out.code, 1);
    const result = JSON.parse(out.stdout);
    assert.equal(result.action, 'created');
    assert.match(result.memory_error, /no database URL is set/);
    assert.match(out.stderr, /the deployment was not recorded in memory: memory_service\.backend is "postgres" but no database URL is set/);
  });

  it('--with-memory is refused on a dry run and without the memory.write permission, before anything is written', async () => {
    const { dir, parentTarget } = await project(ENVIRONMENTS);
    assert.equal((await cli(['deploy', '--template', 'master.md', '--with-memory', '--dry-run'], { cwd: dir })).code, 2);
    await writeFile(join(dir, '.claude-pm', 'policy.json'), JSON.stringify({ default_role: 'deployer', roles: { deployer: ['template.deploy'] } }));
    const denied = await cli(['deploy', '--template', 'master.md', '--with-memory'], { cwd: dir });
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /memory\.write/);
    await assert.rejects(readFile(parentTarget), { code: 'ENOENT' });
  });
});

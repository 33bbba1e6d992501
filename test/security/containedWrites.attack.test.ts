import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { containedPath, PathEscapeError } from '../../src/core/common/containedPath';
import { cli } from '../helpers/runCli';
import { tempDir } from '../helpers/tempDir';

// Class 6: a repository's files and a careless command line must not make Claude PM write outside the workspace,
// nor over what guards it (the policy, the audit trail, the keys).

const POLICY = JSON.stringify({ default_role: 'viewer', users: { 'ana@example.org': 'admin' } });

async function workspace(): Promise<{ root: string; outside: string; env: NodeJS.ProcessEnv }> {
  const parent = await tempDir('claude-pm-contain-');
  const root = join(parent, 'repo');
  const outside = join(parent, 'outside');
  await mkdir(join(root, '.claude-pm'), { recursive: true });
  await mkdir(outside);
  return { root, outside, env: { CLAUDE_PM_CONFIG_DIR: join(parent, 'user-config'), CLAUDE_PM_ACTOR: 'ana@example.org' } };
}

describe('attack: writes land where they must not', () => {
  it('health -o, monitor -o and memory export never replace the policy, the config, the audit trail or the keys', async () => {
    const { root, env } = await workspace();
    await writeFile(join(root, '.claude-pm', 'policy.json'), POLICY);
    await cli(['memory', 'add', '--category', 'pattern', 'keep the audit trail'], { cwd: root, env });
    const keyFile = join(env.CLAUDE_PM_CONFIG_DIR!, 'audit-keys.json');
    const before = await Promise.all([readFile(join(root, '.claude-pm', 'policy.json'), 'utf8'), readFile(join(root, '.claude-pm', 'logs', 'audit.log'), 'utf8'), readFile(keyFile, 'utf8')]);
    const attempts = [
      ['health', '-o', '.claude-pm/policy.json'],
      ['health', '-o', '.claude-pm/config.json'],
      ['monitor', '--duration', '1', '--interval', '1', '-o', '.claude-pm/logs/audit.log'],
      ['memory', 'export', '.claude-pm/logs/audit.log.1'],
      ['memory', 'export', keyFile],
      ['memory', 'export', '.claude-pm/memory/events.jsonl'],
    ];
    for (const args of attempts) {
      const result = await cli(args, { cwd: root, env });
      assert.equal(result.code, 1, args.join(' '));
      assert.match(result.stderr, /refusing to write .*: it is (the team policy|the workspace configuration|part of the audit trail|inside Claude PM's key folder|inside the memory store)/, args.join(' '));
    }
    const after = await Promise.all([readFile(join(root, '.claude-pm', 'policy.json'), 'utf8'), readFile(join(root, '.claude-pm', 'logs', 'audit.log'), 'utf8'), readFile(keyFile, 'utf8')]);
    assert.deepEqual(after, before);
    assert.ok(!(await readdir(join(root, '.claude-pm', 'logs'))).includes('audit.log.1'));
  });

  it('a symbolic link to the policy does not get around the guard', async () => {
    const { root, env } = await workspace();
    await writeFile(join(root, '.claude-pm', 'policy.json'), POLICY);
    await symlink(join(root, '.claude-pm', 'policy.json'), join(root, 'report.json'));
    const result = await cli(['health', '-o', 'report.json'], { cwd: root, env });
    assert.equal(result.code, 1);
    assert.equal(await readFile(join(root, '.claude-pm', 'policy.json'), 'utf8'), POLICY);
  });

  it('--cwd of a subfolder still obeys the workspace policy', async () => {
    const { root, env } = await workspace();
    await writeFile(join(root, '.claude-pm', 'policy.json'), POLICY);
    await mkdir(join(root, 'packages', 'app'), { recursive: true });
    const result = await cli(['tickets', 'create', 'task', 'sneak in', '--cwd', 'packages/app'], { cwd: root, env: { ...env, CLAUDE_PM_ACTOR: 'mallory@example.org' } });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /mallory@example\.org \(role viewer\) may not/);
  });

  it("a repository's tracker config cannot put tickets outside the workspace (../, absolute, symbolic link)", async () => {
    for (const tasksDir of ['../outside', 'ABSOLUTE', 'linked']) {
      const { root, outside, env } = await workspace();
      await mkdir(join(root, '.ai-trackdown'), { recursive: true });
      await symlink(outside, join(root, 'linked'));
      const dir = tasksDir === 'ABSOLUTE' ? outside : tasksDir;
      await writeFile(join(root, '.ai-trackdown', 'config.yaml'), `project_name: evil\ntasks_directory: ${JSON.stringify(dir)}\nstructure:\n  epics_dir: ../../escaped\n`);
      const created = await cli(['tickets', 'create', 'epic', 'Planted', '--format', 'json'], { cwd: root, env });
      assert.equal(created.code, 0, created.stderr);
      assert.deepEqual(await readdir(outside), [], tasksDir);
      const validate = await cli(['tickets', 'validate', '--format', 'json'], { cwd: root, env });
      const messages = (JSON.parse(validate.stdout) as { diagnostics: { message: string; line?: number }[] }).diagnostics.map((d) => d.message).join('\n');
      assert.match(messages, /only paths inside the workspace are allowed/, tasksDir);
      assert.match(messages, /structure|epics/, tasksDir);
    }
  });

  it('a conditional workflow cannot select a workflow file outside its folder', async () => {
    const { root, outside, env } = await workspace();
    await mkdir(join(root, '.claude-pm', 'workflows'), { recursive: true });
    await writeFile(join(outside, 'evil.yaml'), `name: evil\nsteps:\n  - { name: x, command: "touch ${join(outside, 'ran')}" }\n`);
    await writeFile(join(root, '.claude-pm', 'workflows', 'pick.yaml'), 'name: pick\ntype: conditional\ndefault_workflow: ../../../outside/evil\n');
    const result = await cli(['workflow', 'run', '.claude-pm/workflows/pick.yaml', '--skip-memory'], { cwd: root, env });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /climbs out with '\.\.'/);
    assert.deepEqual(await readdir(outside), ['evil.yaml']);
  });

  it("a repository's config cannot render a file from outside it into CLAUDE.md", async () => {
    const { root, outside, env } = await workspace();
    await writeFile(join(outside, 'secret.md'), 'private notes');
    await writeFile(join(root, '.claude-pm', 'config.json'), JSON.stringify({ templates: { master: '../outside/secret.md', target: 'project' } }));
    const result = await cli(['deploy', '--dry-run', '--output', 'rendered.md'], { cwd: root, env });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /templates\.master: '\.\.\/outside\/secret\.md' climbs out/);
  });

  it('containedPath never resolves outside the root, whatever the input', async () => {
    const { root } = await workspace();
    await mkdir(join(root, 'a', 'b'), { recursive: true });
    await symlink('/', join(root, 'a', 'up'));
    const segment = fc.constantFrom('a', 'b', 'up', '..', '.', '', 'x', '/', '\\', 'C:', '\0');
    await fc.assert(
      fc.asyncProperty(fc.array(segment, { maxLength: 6 }), async (parts) => {
        const requested = parts.join('/');
        try {
          const real = await containedPath(root, requested, 'test');
          assert.ok(real === root || real.startsWith(`${root}/`), `${JSON.stringify(requested)} -> ${real}`);
        } catch (error) {
          assert.ok(error instanceof PathEscapeError, String(error));
        }
      }),
      { numRuns: 500 },
    );
  });
});

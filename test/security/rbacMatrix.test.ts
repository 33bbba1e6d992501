import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { allCommands } from '../../src/cli/commands/registry';
import { runCli, type CliCommand } from '../../src/cli/framework';
import { AuditLog } from '../../src/core/security/auditLog';
import { PERMISSIONS, type Permission } from '../../src/core/security/permissions';
import { BUILT_IN_ROLES } from '../../src/core/security/policy';
import { tempDir } from '../helpers/tempDir';

// Every role × every CLI command that declares a permission: allowed or refused as the policy says, and every
// refusal audited. One probe command per permission keeps every permission covered whatever the areas declare.

const CUSTOM_ROLE = { name: 'release', permissions: ['template.deploy', 'health.check'] as Permission[] };
const ROLES: Record<string, readonly Permission[]> = { ...BUILT_IN_ROLES, [CUSTOM_ROLE.name]: CUSTOM_ROLE.permissions };

const probes: CliCommand[] = PERMISSIONS.map((permission) => ({
  path: ['rbac-probe', permission],
  summary: `probe for ${permission}`,
  permission,
  run: async () => 0,
}));
const guarded = [...allCommands.filter((c) => c.permission), ...probes];

// Commands whose last word says they change something must declare the permission they need.
const CHANGING_VERBS = /^(create|delete|remove|update|edit|write|add|set|clear|deploy|rollback|run|delegate|init|close|reopen|transition|assign|move|import|rotate|reset|cancel|retry|apply|restore|migrate|prune|archive)$/;

async function teamWorkspace(): Promise<string> {
  const root = await tempDir('claude-pm-rbac-');
  await mkdir(join(root, '.claude-pm'), { recursive: true });
  const users = Object.fromEntries(Object.keys(ROLES).map((role) => [`${role}@example.org`, role]));
  await writeFile(join(root, '.claude-pm', 'policy.json'), JSON.stringify({ default_role: 'viewer', users, roles: { [CUSTOM_ROLE.name]: CUSTOM_ROLE.permissions } }));
  return root;
}

async function invoke(commands: readonly CliCommand[], command: CliCommand, cwd: string, actor: string) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(command.path, commands, 'test', { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: { CLAUDE_PM_ACTOR: actor }, cwd });
  return { code, stdout, stderr };
}

describe('RBAC matrix over the CLI', () => {
  it('every changing command declares a permission', () => {
    const undeclared = allCommands.filter((c) => CHANGING_VERBS.test(c.path[c.path.length - 1] ?? '') && !c.permission).map((c) => c.path.join(' '));
    assert.deepEqual(undeclared, []);
  });

  it('refuses each role the commands its permissions do not cover, before the command runs, and audits it', async () => {
    const root = await teamWorkspace();
    const audit = AuditLog.forWorkspace(root);
    // Real commands: a denial happens before arguments are even looked at, so running them bare is safe.
    const commands = [...allCommands, ...probes];
    let expectedDenials = 0;
    for (const [role, permissions] of Object.entries(ROLES)) {
      for (const command of guarded.filter((c) => !permissions.includes(c.permission!))) {
        const name = `${role} × ${command.path.join(' ')}`;
        const result = await invoke(commands, command, root, `${role}@example.org`);
        expectedDenials++;
        assert.equal(result.code, 1, name);
        assert.ok(result.stderr.includes(`(role ${role}) may not ${command.path.join(' ')}: the permission '${command.permission}' is missing`), `${name}: ${result.stderr}`);
        assert.equal(result.stdout, '', name);
        const last = (await audit.read()).at(-1)!;
        assert.deepEqual([last.event, last.actor, last.action, last.details?.permission, last.details?.role], ['permission_denied', `${role}@example.org`, command.path.join(' '), command.permission, role], name);
      }
    }
    assert.equal((await audit.read()).length, expectedDenials);
    assert.ok(expectedDenials >= PERMISSIONS.length, 'viewer alone is refused most permissions');
  });

  it('lets each role through to the command for every permission it holds, with nothing audited', async () => {
    const root = await teamWorkspace();
    for (const [role, permissions] of Object.entries(ROLES)) {
      for (const command of guarded.filter((c) => permissions.includes(c.permission!))) {
        // The body is replaced: reaching it is the proof the check passed, without running agents or deploys.
        let reached = false;
        const stand = { ...command, run: async () => ((reached = true), 0) };
        const result = await invoke([stand], stand, root, `${role}@example.org`);
        assert.equal(result.code, 0, `${role} × ${command.path.join(' ')}: ${result.stderr}`);
        assert.ok(reached, `${role} × ${command.path.join(' ')}`);
      }
    }
    assert.deepEqual(await AuditLog.forWorkspace(root).read(), []);
  });

  it('gives users without an entry the default role, and everyone every permission without a policy', async () => {
    const root = await teamWorkspace();
    const probe = probes.find((p) => p.permission === 'ticket.write')!;
    assert.equal((await invoke(probes, probe, root, 'stranger@example.org')).code, 1);
    const solo = await tempDir('claude-pm-rbac-solo-');
    for (const command of probes) assert.equal((await invoke(probes, command, solo, 'anyone')).code, 0, command.path.join(' '));
  });
});

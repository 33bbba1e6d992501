import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { simpleGit } from 'simple-git';
import { AuditLog, verifyAuditLog } from '../../../src/core/security/auditLog';
import { PermissionDeniedError, PERMISSIONS } from '../../../src/core/security/permissions';
import { createWorkspaceAuthorizer, describeAccess, loadPolicy, permissionsOf, PolicyError, resolveActor, roleOf } from '../../../src/core/security/policy';
import { tempDir } from '../../helpers/tempDir';

async function workspace(policy?: unknown): Promise<string> {
  const root = await tempDir('claude-pm-policy-');
  if (policy !== undefined) {
    await mkdir(join(root, '.claude-pm'), { recursive: true });
    await writeFile(join(root, '.claude-pm', 'policy.json'), typeof policy === 'string' ? policy : JSON.stringify(policy));
  }
  return root;
}

const TEAM = {
  default_role: 'viewer',
  users: { 'Ana@Example.org': 'admin', 'dev@example.org': 'developer', 'rel@example.org': 'release' },
  roles: { release: ['template.deploy', 'health.check'] },
  comment: 'kept',
};

describe('policy', () => {
  it('reads roles, keeps unknown keys and matches emails case-insensitively', async () => {
    const policy = (await loadPolicy(await workspace(TEAM)))!;
    assert.equal((policy as Record<string, unknown>).comment, 'kept');
    assert.equal(roleOf(policy, 'ana@example.org'), 'admin');
    assert.equal(roleOf(policy, 'someone@else.org'), 'viewer');
    assert.deepEqual(permissionsOf(policy, 'admin'), PERMISSIONS);
    assert.deepEqual(permissionsOf(policy, 'release'), ['template.deploy', 'health.check']);
    assert.deepEqual(permissionsOf(policy, 'viewer'), ['memory.read', 'health.check']);
    assert.equal(permissionsOf(policy, 'developer').includes('system.configure'), false);
  });

  it('has no policy without the file', async () => {
    assert.equal(await loadPolicy(await workspace()), undefined);
  });

  it('rejects malformed JSON, unknown roles and unknown permissions with the file and the place', async () => {
    await assert.rejects(loadPolicy(await workspace('{"default_role": ')), (e: Error) => e instanceof PolicyError && /not valid JSON/.test(e.message) && e.message.includes('policy.json'));
    await assert.rejects(loadPolicy(await workspace({ users: { 'a@b.c': 'boss' } })), /users\.a@b\.c: unknown role "boss"/);
    await assert.rejects(loadPolicy(await workspace({ roles: { ops: ['system.reboot'] } })), /roles\.ops\.0/);
    await assert.rejects(loadPolicy(await workspace({ default_role: 'nobody' })), /default_role: unknown role "nobody"/);
  });
});

describe('resolveActor', () => {
  it('prefers CLAUDE_PM_ACTOR, then the repository git user.email', async () => {
    const root = await workspace();
    await simpleGit(root).init().addConfig('user.email', 'repo-user@example.org');
    assert.equal(await resolveActor(root, {}), 'repo-user@example.org');
    assert.equal(await resolveActor(root, { CLAUDE_PM_ACTOR: ' ci-bot ' }), 'ci-bot');
  });
});

describe('createWorkspaceAuthorizer', () => {
  it('lets everyone do everything without a policy file, and writes no audit log', async () => {
    const root = await workspace();
    const authorizer = await createWorkspaceAuthorizer(root, { CLAUDE_PM_ACTOR: 'solo@example.org' });
    for (const permission of PERMISSIONS) await authorizer.require(permission, 'anything');
    assert.equal((await verifyAuditLog(AuditLog.forWorkspace(root).file)).lines, 0);
  });

  it('denies a missing permission naming it, and audits the denial', async () => {
    const root = await workspace(TEAM);
    const authorizer = await createWorkspaceAuthorizer(root, { CLAUDE_PM_ACTOR: 'dev@example.org' });
    await authorizer.require('ticket.write', 'tickets create');
    await assert.rejects(authorizer.require('system.configure', 'policy edit', '.claude-pm/policy.json'), (e: Error) => {
      assert.ok(e instanceof PermissionDeniedError);
      assert.match(e.message, /dev@example\.org \(role developer\) may not policy edit: the permission 'system\.configure' is missing/);
      return true;
    });
    const entries = await AuditLog.forWorkspace(root).read();
    assert.equal(entries.length, 1);
    assert.deepEqual(
      { event: entries[0]!.event, actor: entries[0]!.actor, action: entries[0]!.action, target: entries[0]!.target, details: entries[0]!.details },
      { event: 'permission_denied', actor: 'dev@example.org', action: 'policy edit', target: '.claude-pm/policy.json', details: { permission: 'system.configure', role: 'developer' } },
    );
  });

  it('applies policy edits at once and fails closed on a broken policy', async () => {
    const root = await workspace(TEAM);
    const authorizer = await createWorkspaceAuthorizer(root, { CLAUDE_PM_ACTOR: 'new@example.org' });
    await assert.rejects(authorizer.require('ticket.write', 'tickets create'), PermissionDeniedError);
    const file = join(root, '.claude-pm', 'policy.json');
    await writeFile(file, JSON.stringify({ ...TEAM, default_role: 'developer' }));
    await authorizer.require('ticket.write', 'tickets create');
    await writeFile(file, (await readFile(file, 'utf8')).slice(0, 10));
    await assert.rejects(authorizer.require('ticket.write', 'tickets create'), PolicyError);
    const events = (await AuditLog.forWorkspace(root).read()).map((e) => e.event);
    assert.deepEqual(events, ['permission_denied', 'permission_denied']);
  });

  it('still refuses when the audit log cannot be written', async () => {
    const root = await workspace(TEAM);
    await writeFile(join(root, '.claude-pm', 'logs'), 'a file where the folder should be');
    const authorizer = await createWorkspaceAuthorizer(root, { CLAUDE_PM_ACTOR: 'x@example.org' });
    await assert.rejects(authorizer.require('agent.delete', 'agents delete'), PermissionDeniedError);
  });

  it('describes the access of the actor', async () => {
    assert.deepEqual(await describeAccess(await workspace(TEAM), { CLAUDE_PM_ACTOR: 'rel@example.org' }), {
      actor: 'rel@example.org',
      role: 'release',
      permissions: ['template.deploy', 'health.check'],
      policyFile: true,
    });
    const solo = await describeAccess(await workspace(), { CLAUDE_PM_ACTOR: 'me' });
    assert.equal(solo.role, 'admin');
    assert.equal(solo.policyFile, false);
  });
});

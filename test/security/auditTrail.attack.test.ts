import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AUDIT_KEY_ENV, userAuditTrust } from '../../src/core/security/auditKeys';
import { AUDIT_FIELD_LIMITS, AuditLog, type AuditEntry } from '../../src/core/security/auditLog';
import { cli } from '../helpers/runCli';
import { tempDir } from '../helpers/tempDir';

// Attacks on the audit trail, as a careless teammate or someone covering their tracks would try them. Each must be
// reported by `claude-pm audit verify` (exit 1, the file and line or what is missing).

async function setup(entries = 6, maxBytes?: number) {
  const root = await tempDir('claude-pm-audit-attack-');
  const env = { CLAUDE_PM_CONFIG_DIR: await tempDir('claude-pm-user-'), CLAUDE_PM_ACTOR: 'ana@example.org' };
  const log = AuditLog.forWorkspace(root, { env, ...(maxBytes ? { maxBytes } : {}) });
  for (let i = 1; i <= entries; i++) await log.append({ event: 'permission_denied', actor: 'bob@example.org', action: `deploy ${i}`, details: { permission: 'template.deploy' } });
  const verify = async () => {
    const result = await cli(['audit', 'verify', '--format', 'json'], { cwd: root, env });
    return { code: result.code, ...(JSON.parse(result.stdout || '{}') as { ok?: boolean; reason?: string; firstBrokenLine?: number; lines?: number; brokenFile?: string }) };
  };
  return { root, env, log, verify };
}

const lines = async (file: string) => (await readFile(file, 'utf8')).split('\n').filter(Boolean);

// The old, unkeyed seal: anyone can recompute it.
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

describe('attack: the audit trail', () => {
  it('an edited entry with the whole chain recomputed (no key) is reported at the edited line', async () => {
    const { log, verify } = await setup();
    const entries = (await lines(log.file)).map((l) => JSON.parse(l) as AuditEntry);
    let prev = '0'.repeat(64);
    const forged = entries.map((entry, i) => {
      const { hash: _hash, ...rest } = { ...entry, ...(i === 2 ? { actor: 'someone-else@example.org' } : {}), prev };
      const hash = createHash('sha256').update(canonical(rest)).digest('hex');
      prev = hash;
      return JSON.stringify({ ...rest, hash });
    });
    await writeFile(log.file, `${forged.join('\n')}\n`);
    const result = await verify();
    assert.equal(result.code, 1);
    assert.equal(result.firstBrokenLine, 1);
    assert.match(result.reason ?? '', /seal does not match/);
  });

  it('removing the last entries is reported as a truncation', async () => {
    const { log, verify } = await setup();
    await writeFile(log.file, `${(await lines(log.file)).slice(0, 4).join('\n')}\n`);
    const result = await verify();
    assert.equal(result.code, 1);
    assert.match(result.reason ?? '', /ends at entry 4, but entry 6 was written/);
  });

  it('emptying the log is reported', async () => {
    const { log, verify } = await setup();
    await writeFile(log.file, '');
    const result = await verify();
    assert.equal(result.code, 1);
    assert.match(result.reason ?? '', /emptied/);
  });

  it('deleting the log is reported, and later entries keep their numbers', async () => {
    const { log, verify } = await setup();
    await rm(log.file);
    const deleted = await verify();
    assert.equal(deleted.code, 1);
    assert.match(deleted.reason ?? '', /missing: it was deleted or moved after entry 6/);
    const next = await log.append({ event: 'config_change', actor: 'ana@example.org', action: 'after the deletion' });
    assert.equal(next.seq, 7);
    assert.match((await verify()).reason ?? '', /entries 1–6 are missing/);
  });

  it('replacing the log with one sealed under another key is reported', async () => {
    const { log, verify } = await setup();
    const other = AuditLog.forWorkspace(await tempDir('claude-pm-other-'), { env: { CLAUDE_PM_CONFIG_DIR: await tempDir('claude-pm-user-') } });
    for (let i = 1; i <= 8; i++) await other.append({ event: 'config_change', actor: 'mallory@example.org', action: `clean ${i}` });
    await writeFile(log.file, await readFile(other.file));
    const result = await verify();
    assert.equal(result.code, 1);
    assert.equal(result.firstBrokenLine, 1);
    assert.match(result.reason ?? '', /sealed with audit key [0-9a-f]{16}, which is not in/);
  });

  it('a flood of events never drops history: sequence numbers continue across every rotated file', async () => {
    const { log, verify } = await setup(0, 2000);
    await log.appendAll(Array.from({ length: 300 }, (_, i) => ({ event: 'auth_failure' as const, actor: 'system', action: 'authenticate', target: `flood ${i}` })));
    const result = await verify();
    assert.equal(result.code, 0, result.reason);
    assert.equal(result.lines, 300);
    const files = (await readdir(join(log.file, '..'))).filter((n) => /^audit\.log\.\d+$/.test(n));
    assert.ok(files.length > 20, `${files.length} rotated files`);
  });

  it('deleting the oldest rotated file is reported as missing entries', async () => {
    const { log, verify } = await setup(0, 2000);
    for (let i = 0; i < 40; i++) await log.append({ event: 'auth_failure', actor: 'system', action: 'authenticate', target: `t${i}` });
    await rm(`${log.file}.1`);
    const result = await verify();
    assert.equal(result.code, 1);
    assert.equal(result.brokenFile, `${log.file}.2`);
    assert.match(result.reason ?? '', /entr(y|ies) 1.* missing/);
  });

  it('every field is bounded, so one event cannot make an unbounded line', async () => {
    const { log, verify } = await setup(0);
    const huge = 'x'.repeat(1_000_000);
    const entry = await log.append({ event: 'memory_write', actor: huge, action: huge, target: huge, details: { content: huge } });
    assert.equal(entry.actor.length, AUDIT_FIELD_LIMITS.actor);
    assert.ok(JSON.stringify(entry).length < 16 * 1024);
    assert.equal((await verify()).code, 0);
  });

  it('the key lives outside the workspace in a file only its owner can read', async () => {
    const { root, env, log } = await setup(1);
    const keyFile = join(env.CLAUDE_PM_CONFIG_DIR, 'audit-keys.json');
    assert.equal((await stat(keyFile)).mode & 0o777, 0o600);
    const key = (JSON.parse(await readFile(keyFile, 'utf8')) as { keys: { key: string }[] }).keys[0]!.key;
    const workspaceFiles = await readdir(join(root, '.claude-pm', 'logs'));
    for (const name of workspaceFiles) assert.ok(!(await readFile(join(root, '.claude-pm', 'logs', name), 'utf8')).includes(key));
    assert.ok(log.trust.where.startsWith(env.CLAUDE_PM_CONFIG_DIR));
  });

  it('rotating the key keeps the history verifiable and seals new entries with the new key', async () => {
    const { root, env, log, verify } = await setup(3);
    const rotated = await cli(['audit', 'rotate-key', '--format', 'json'], { cwd: root, env });
    assert.equal(rotated.code, 0, rotated.stderr);
    const { previous, current } = JSON.parse(rotated.stdout) as { previous: string; current: string };
    assert.notEqual(previous, current);
    await log.append({ event: 'config_change', actor: 'ana@example.org', action: 'after rotation' });
    const entries = await log.read();
    assert.deepEqual(entries.map((e) => e.kid), [previous, previous, previous, current, current]);
    assert.equal(entries[3]!.event, 'key_rotation');
    const result = await verify();
    assert.equal(result.code, 0, result.reason);
    assert.equal(result.lines, 5);
  });

  it('in CI the key comes from the environment, and rotation says how to change it', async () => {
    const root = await tempDir('claude-pm-audit-ci-');
    const env = { CLAUDE_PM_CONFIG_DIR: await tempDir('claude-pm-user-'), [AUDIT_KEY_ENV]: 'ab'.repeat(32) };
    const log = AuditLog.forWorkspace(root, { trust: userAuditTrust(env) });
    await log.append({ event: 'workflow_run', actor: 'ci', action: 'run workflow checks' });
    assert.equal((await cli(['audit', 'verify'], { cwd: root, env })).code, 0);
    assert.equal((await cli(['audit', 'verify'], { cwd: root, env: { ...env, [AUDIT_KEY_ENV]: 'cd'.repeat(32) } })).code, 1);
    const rotate = await cli(['audit', 'rotate-key'], { cwd: root, env });
    assert.equal(rotate.code, 1);
    assert.match(rotate.stderr, /put a new key .* first in the variable/);
  });

  it('memory writes, deletes and exports are audited at the CLI', async () => {
    const root = await tempDir('claude-pm-audit-memory-');
    const env = { CLAUDE_PM_CONFIG_DIR: await tempDir('claude-pm-user-'), CLAUDE_PM_ACTOR: 'ana@example.org' };
    const added = await cli(['memory', 'add', '--category', 'pattern', '--format', 'json', 'Prefer small modules'], { cwd: root, env });
    assert.equal(added.code, 0, added.stderr);
    const id = (JSON.parse(added.stdout) as { id: string }).id;
    assert.equal((await cli(['memory', 'export', 'out.jsonl'], { cwd: root, env })).code, 0);
    assert.equal((await cli(['memory', 'delete', id], { cwd: root, env })).code, 0);
    const entries = await AuditLog.forWorkspace(root, { env }).read();
    assert.deepEqual(entries.map((e) => [e.event, e.actor, e.target]), [
      ['memory_write', 'ana@example.org', id],
      ['memory_export', 'ana@example.org', join(root, 'out.jsonl')],
      ['memory_delete', 'ana@example.org', id],
    ]);
  });
});

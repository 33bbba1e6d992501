import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { userAuditTrust } from '../../../src/core/security/auditKeys';
import { AuditLog, type AuditEvent, type AuditLogOptions } from '../../../src/core/security/auditLog';
import { tempDir } from '../../helpers/tempDir';

const event = (i: number): AuditEvent => ({ event: 'config_change', actor: 'ana@example.org', action: `change ${i}`, target: 'config.json', details: { i } });

// Each log gets a user config folder (keys, anchors) of its own.
async function logWith(count: number, options: AuditLogOptions = {}): Promise<AuditLog & { userDir: string }> {
  const userDir = await tempDir('claude-pm-user-');
  const log = Object.assign(AuditLog.forWorkspace(await tempDir('claude-pm-audit-'), { trust: userAuditTrust({ CLAUDE_PM_CONFIG_DIR: userDir }), ...options }), { userDir });
  for (let i = 1; i <= count; i++) await log.append(event(i));
  return log;
}

async function lines(file: string): Promise<string[]> {
  return (await readFile(file, 'utf8')).split('\n').filter(Boolean);
}

describe('AuditLog', () => {
  it('writes one JSON line per event with timestamp, type, actor, action, target, details, key id and the chain', async () => {
    const log = await logWith(3);
    assert.ok(log.file.endsWith(join('.claude-pm', 'logs', 'audit.log')));
    const entries = await log.read();
    assert.deepEqual(entries.map((e) => [e.seq, e.event, e.action]), [[1, 'config_change', 'change 1'], [2, 'config_change', 'change 2'], [3, 'config_change', 'change 3']]);
    assert.equal(entries[0]!.prev, '0'.repeat(64));
    assert.equal(entries[1]!.prev, entries[0]!.hash);
    assert.equal(entries[2]!.prev, entries[1]!.hash);
    assert.ok(entries.every((e) => /^[0-9a-f]{16}$/.test(e.kid)));
    assert.ok(!Number.isNaN(Date.parse(entries[0]!.timestamp)));
    assert.deepEqual(await log.verify(), { ok: true, file: log.file, files: [log.file], lines: 3 });
  });

  it('redacts secrets in every field before writing', async () => {
    const key = randomBytes(48).toString('base64url');
    const log = await logWith(0);
    await log.append({ event: 'key_rotation', actor: 'ops', action: `rotated to ${key}`, target: `https://mem0.local/?key=${key}`, details: { api_key: key, note: `new ${key}` } });
    const text = await readFile(log.file, 'utf8');
    assert.ok(!text.includes(key));
    assert.equal((await log.verify()).ok, true);
  });

  it('keeps the chain when appends race within a process', async () => {
    const log = await logWith(0);
    await Promise.all(Array.from({ length: 40 }, (_, i) => log.append(event(i))));
    const result = await log.verify();
    assert.equal(result.ok, true, result.reason);
    assert.equal(result.lines, 40);
  });

  it('rotates by size, keeps every rotated file and the chain continues into the new file', async () => {
    const log = await logWith(0, { maxBytes: 1500 });
    for (let i = 1; i <= 30; i++) await log.append(event(i));
    const names = (await readdir(join(log.file, '..'))).filter((n) => n.startsWith('audit.log'));
    assert.ok(names.length > 5, names.join(', '));
    for (const name of names) {
      const text = await readFile(join(log.file, '..', name), 'utf8');
      assert.ok(Buffer.byteLength(text) <= 1500, `${name} is ${text.length} bytes`);
    }
    const result = await log.verify();
    assert.equal(result.ok, true, result.reason);
    assert.equal(result.lines, 30);
    assert.equal(result.files!.length, names.length);
    const rotated = (await lines(result.files![result.files!.length - 2]!)).map((l) => JSON.parse(l) as { hash: string });
    const current = await log.read();
    assert.equal(current[0]!.prev, rotated[rotated.length - 1]!.hash);
    assert.equal(current[current.length - 1]!.seq, 30);
  });

  it('appends a batch in order, rotating in the middle when it must', async () => {
    const log = await logWith(2, { maxBytes: 1500 });
    const written = await log.appendAll(Array.from({ length: 10 }, (_, i) => event(i + 3)));
    assert.deepEqual(written.map((e) => e.seq), [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const files = (await readdir(join(log.file, '..'))).filter((f) => f.startsWith('audit.log'));
    assert.ok(files.length >= 3, files.join(', '));
    const result = await log.verify();
    assert.equal(result.ok, true, result.reason);
    assert.equal(result.lines, 12);
    assert.equal((await log.read()).at(-1)!.seq, 12);
  });

  it('keeps one chain when two processes of one user append at the same time', async () => {
    const log = await logWith(0);
    const go = join(log.file, '..', '..', '..', 'go');
    // Each child says it is ready, then waits for the go file so both append at the same moment.
    const script = `const { existsSync } = require('node:fs');
      const { AuditLog } = require(${JSON.stringify(join(__dirname, '../../../src/core/security/auditLog'))});
      const log = new AuditLog(process.argv[1], { env: { CLAUDE_PM_CONFIG_DIR: process.argv[3] } });
      (async () => {
        process.stdout.write('ready\\n');
        const giveUp = Date.now() + 60000;
        while (!existsSync(process.argv[2])) {
          if (Date.now() > giveUp) process.exit(3);
          await new Promise((r) => setTimeout(r, 1));
        }
        for (let i = 0; i < 100; i++) await log.append({ event: 'auth_success', actor: 'p' + process.pid, action: 'authenticate' });
      })();`;
    const children = [0, 1].map(() => spawn(process.execPath, ['--import', 'tsx', '-e', script, log.file, go, log.userDir], { stdio: ['ignore', 'pipe', 'inherit'] }));
    const exits = children.map((child) => new Promise<number | null>((resolve, reject) => (child.on('error', reject), child.on('exit', resolve))));
    await Promise.all(children.map((child) => new Promise((resolve) => child.stdout!.once('data', resolve))));
    await writeFile(go, '');
    assert.deepEqual(await Promise.all(exits), [0, 0]);
    const result = await log.verify();
    assert.equal(result.ok, true, result.reason);
    assert.equal(result.lines, 200);
  });

  it('reports a trail never written as empty, not as broken', async () => {
    const log = await logWith(0);
    const result = await log.verify();
    assert.equal(result.ok, true);
    assert.equal(result.empty, true);
  });
});

describe('verifyAuditLog tamper detection', () => {
  const N = 8;
  type Tamper = { kind: 'edit' | 'delete' | 'swap' | 'garble'; at: number };
  const tamper = fc.oneof(
    fc.record({ kind: fc.constant<'edit'>('edit'), at: fc.integer({ min: 0, max: N - 1 }) }),
    fc.record({ kind: fc.constant<'delete'>('delete'), at: fc.integer({ min: 0, max: N - 2 }) }),
    fc.record({ kind: fc.constant<'swap'>('swap'), at: fc.integer({ min: 0, max: N - 2 }) }),
    fc.record({ kind: fc.constant<'garble'>('garble'), at: fc.integer({ min: 0, max: N - 1 }) }),
  );

  // Where the break must be reported (1-based): the changed line, or the line that now follows a removed one.
  const expectedLine = (t: Tamper) => t.at + 1;

  function apply(original: string[], t: Tamper): string[] {
    const out = [...original];
    if (t.kind === 'edit') {
      const entry = JSON.parse(out[t.at]!) as Record<string, unknown>;
      entry.actor = 'mallory@example.org';
      out[t.at] = JSON.stringify(entry);
    } else if (t.kind === 'delete') out.splice(t.at, 1);
    else if (t.kind === 'swap') [out[t.at], out[t.at + 1]] = [out[t.at + 1]!, out[t.at]!];
    else out[t.at] = out[t.at]!.slice(0, 20);
    return out;
  }

  it('names the first broken line after an edit, a deletion, a reorder or a garbled line', async () => {
    const log = await logWith(N);
    const original = await lines(log.file);
    await fc.assert(
      fc.asyncProperty(tamper, async (t) => {
        await writeFile(log.file, `${apply(original, t).join('\n')}\n`);
        const result = await log.verify();
        assert.equal(result.ok, false, JSON.stringify(t));
        assert.equal(result.firstBrokenLine, expectedLine(t), `${JSON.stringify(t)}: ${result.reason}`);
      }),
      { numRuns: 60 },
    );
  });

  it('detects a removed first line, and a removed last line of a rotated file', async () => {
    const log = await logWith(4);
    const original = await lines(log.file);
    await writeFile(log.file, `${original.slice(1).join('\n')}\n`);
    const first = await log.verify();
    assert.equal(first.firstBrokenLine, 1);
    assert.match(first.reason ?? '', /entry 1 is missing/);

    const rotating = await logWith(0, { maxBytes: 1500 });
    for (let i = 1; i <= 12; i++) await rotating.append(event(i));
    const older = await lines(`${rotating.file}.1`);
    await writeFile(`${rotating.file}.1`, `${older.slice(0, -1).join('\n')}\n`);
    const result = await rotating.verify();
    assert.equal(result.brokenFile, `${rotating.file}.2`);
    assert.equal(result.firstBrokenLine, 1);
  });

  it('keeps appending after damage, and verify still points at the damage', async () => {
    const log = await logWith(3);
    const original = await lines(log.file);
    await writeFile(log.file, `${original[0]}\n{"broken"\n`);
    await log.append(event(9));
    const result = await log.verify();
    assert.equal(result.firstBrokenLine, 2);
    assert.match(result.reason ?? '', /not valid JSON/);
  });
});

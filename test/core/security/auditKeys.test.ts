import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeKeyrings } from '../../../src/core/security/auditKeys';
import { AuditLog } from '../../../src/core/security/auditLog';
import { editorAuditTrust, useEditorAuditTrust } from '../../../src/vscode/security/auditTrust';
import { memorySecretStorage } from '../../helpers/memorySecretStorage';
import { tempDir } from '../../helpers/tempDir';


const keyring = (id: string, created: string) => JSON.stringify({ current: id, keys: [{ id, key: Buffer.alloc(32, id).toString('base64'), created }] });

describe('audit keyrings', () => {
  it('merges two copies: every key, and the newer current key', () => {
    const older = keyring('aaaaaaaaaaaaaaaa', '2026-01-01T00:00:00.000Z');
    const newer = keyring('bbbbbbbbbbbbbbbb', '2026-06-01T00:00:00.000Z');
    assert.equal(mergeKeyrings(undefined, older, 'x'), older);
    assert.equal(mergeKeyrings(newer, undefined, 'x'), newer);
    for (const merged of [mergeKeyrings(older, newer, 'x')!, mergeKeyrings(newer, older, 'x')!]) {
      const parsed = JSON.parse(merged) as { current: string; keys: { id: string }[] };
      assert.equal(parsed.current, 'bbbbbbbbbbbbbbbb');
      assert.deepEqual(parsed.keys.map((k) => k.id).sort(), ['aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb']);
    }
    assert.throws(() => mergeKeyrings('{', older, 'the editor'), /audit keyring in the editor is not valid JSON/);
  });

  it('the editor and the CLI seal one chain, and a rotation in the editor is seen by the CLI', async () => {
    const root = await tempDir('claude-pm-editor-audit-');
    const env = { CLAUDE_PM_CONFIG_DIR: await tempDir('claude-pm-user-') };
    const cliLog = AuditLog.forWorkspace(root, { env });
    await cliLog.append({ event: 'config_change', actor: 'cli', action: 'first, from the CLI' });
    // The editor keeps the audit keyring in its secret storage.
    const secrets = memorySecretStorage();
    useEditorAuditTrust(secrets, env);
    const editorLog = AuditLog.forWorkspace(root, { trust: editorAuditTrust() });
    await editorLog.append({ event: 'permission_denied', actor: 'editor', action: 'second, from the editor' });
    assert.equal(secrets.values.size, 0, 'the CLI key is adopted, not replaced');
    await editorLog.rotateKey('editor');
    assert.equal(secrets.values.size, 1, 'the rotated keyring is in secret storage');
    await cliLog.append({ event: 'config_change', actor: 'cli', action: 'after the rotation' });
    const entries = await cliLog.read();
    assert.equal(entries[3]!.kid, entries[2]!.kid, 'the CLI seals with the key the editor rotated to');
    assert.notEqual(entries[2]!.kid, entries[0]!.kid);
    const fromCli = await cliLog.verify();
    const fromEditor = await editorLog.verify();
    assert.equal(fromCli.ok, true, fromCli.reason);
    assert.equal(fromEditor.ok, true, fromEditor.reason);
    assert.equal(fromCli.lines, 4);
  });
});

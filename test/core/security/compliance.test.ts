import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { simpleGit } from 'simple-git';
import { generateApiKey } from '../../../src/core/security/apiKeys';
import { AuditLog } from '../../../src/core/security/auditLog';
import { securityCompliance } from '../../../src/core/security/compliance';
import { tempDir } from '../../helpers/tempDir';

const byId = async (root: string) => Object.fromEntries((await securityCompliance(root)).map((i) => [i.id, i]));

describe('securityCompliance', () => {
  it('passes a clean workspace', async () => {
    const root = await tempDir('claude-pm-seccomp-');
    const items = await byId(root);
    assert.deepEqual(Object.keys(items).sort(), ['security.audit-chain', 'security.env-ignored', 'security.no-keys-in-config', 'security.policy']);
    for (const item of Object.values(items)) assert.equal(item.passed, true, `${item.id}: ${item.detail}`);
  });

  it('flags a broken policy, a tampered audit log, a key in config.json and an unignored .env', async () => {
    const root = await tempDir('claude-pm-seccomp-');
    await mkdir(join(root, '.claude-pm'), { recursive: true });
    const key = generateApiKey();
    await writeFile(join(root, '.claude-pm', 'policy.json'), '{"default_role": "boss"}');
    await writeFile(join(root, '.claude-pm', 'config.json'), JSON.stringify({ memory_service: { backend: 'mem0', api_key: key } }));
    const audit = AuditLog.forWorkspace(root);
    await audit.append({ event: 'config_change', actor: 'a', action: 'x' });
    await writeFile(audit.file, '{"not": "an entry"}\n');
    await simpleGit(root).init();
    await writeFile(join(root, '.env'), `MEM0AI_API_KEY=${key}\n`);
    const items = await byId(root);
    assert.equal(items['security.policy']!.passed, false);
    assert.equal(items['security.audit-chain']!.passed, false);
    assert.match(items['security.audit-chain']!.detail, /line 1/);
    assert.equal(items['security.no-keys-in-config']!.passed, false);
    assert.ok(!JSON.stringify(items).includes(key));
    assert.equal(items['security.env-ignored']!.passed, false);
    await writeFile(join(root, '.gitignore'), '.env\n');
    assert.equal((await byId(root))['security.env-ignored']!.passed, true);
  });
});

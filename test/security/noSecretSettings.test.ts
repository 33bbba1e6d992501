import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';

// Keys live in SecretStorage (extension) or environment variables (CLI), never in settings a user might sync or commit.

const SECRET_NAME = /(api[-_.]?key|token|secret|password|credential)/i;

describe('settings', () => {
  it('declare no setting that would hold a key', async () => {
    const pkg = JSON.parse(await readFile(join(__dirname, '../../package.json'), 'utf8')) as {
      contributes?: { configuration?: { properties?: Record<string, unknown> }[] | { properties?: Record<string, unknown> } };
    };
    const sections = [pkg.contributes?.configuration ?? []].flat();
    const names = sections.flatMap((section) => Object.keys(section.properties ?? {}));
    assert.ok(names.length > 0, 'the manifest declares settings');
    assert.deepEqual(names.filter((name) => SECRET_NAME.test(name)), []);
  });
});

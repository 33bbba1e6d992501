import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';

// The extension's key and policy commands must carry both guards: the permission and Restricted Mode. Read from the
// sources, since the extension host is not available to unit tests.

const SRC = join(__dirname, '../../src/vscode/security');

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sources(path)));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

interface Registration {
  file: string;
  id: string;
  call: string;
}

async function registrations(): Promise<Registration[]> {
  const found: Registration[] = [];
  for (const file of await sources(SRC)) {
    const text = await readFile(file, 'utf8');
    const starts = [...text.matchAll(/\bregisterCommand\(\s*features,\s*'([^']+)'/g)];
    starts.forEach((match, i) => {
      // The call runs at most to the next registration: enough to see its guards.
      const call = text.slice(match.index, starts[i + 1]?.index ?? text.length);
      found.push({ file: relative(SRC, file), id: match[1]!, call });
    });
  }
  return found;
}

describe('extension command guards', () => {
  it('refuses the key and policy commands in Restricted Mode', async () => {
    const security = (await registrations()).filter((r) => /^claudePm\.security\.(generateKey|setApiKey|clearApiKey|assignRole)$/.test(r.id));
    assert.equal(security.length, 4);
    for (const r of security) assert.match(r.call, /permission: 'system\.configure', requiresTrust:/, r.id);
  });
});

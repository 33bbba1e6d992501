import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { deployClaudeMd } from '../../../src/core/templates/deploy';
import { bundledMasterPath, loadMasterTemplate } from '../../../src/core/templates/master';
import { deploymentId, findPython, platformNotes, runtimeVariables } from '../../../src/core/templates/runtimeVariables';
import { tempDir } from '../../helpers/tempDir';

async function executable(dir: string, name: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, name), '#!/bin/sh\n');
  await chmod(join(dir, name), 0o755);
}

describe('runtime template variables', () => {
  it('finds python3 before python on PATH, and nothing when neither is there', async () => {
    const root = await tempDir();
    await executable(join(root, 'a'), 'python');
    await executable(join(root, 'b'), 'python3');
    assert.equal(await findPython({ platform: 'linux', path: `${join(root, 'a')}:${join(root, 'b')}` }), 'python3');
    assert.equal(await findPython({ platform: 'linux', path: join(root, 'a') }), 'python');
    assert.equal(await findPython({ platform: 'linux', path: join(root, 'none') }), undefined);
  });

  it('ignores a python file that is not executable', async () => {
    const root = await tempDir();
    await writeFile(join(root, 'python3'), 'not a program');
    assert.equal(await findPython({ platform: 'linux', path: root }), undefined);
  });

  it('writes notes for the platform and says when Python is missing', () => {
    assert.match(platformNotes('darwin', 'python3'), /macOS: run Python as `python3`[\s\S]*brew/);
    assert.match(platformNotes('win32', 'py'), /Windows[\s\S]*PowerShell/);
    assert.match(platformNotes('linux', undefined), /no Python was found on PATH/);
  });

  it('gives each deployment its own id, the same for the same folder and moment', () => {
    const now = new Date('2026-01-02T03:04:05.000Z');
    assert.equal(deploymentId('/a', now), deploymentId('/a', now));
    assert.notEqual(deploymentId('/a', now), deploymentId('/b', now));
    assert.notEqual(deploymentId('/a', now), deploymentId('/a', new Date(now.getTime() + 1)));
    assert.match(deploymentId('/a', now), /^[0-9a-f]{12}$/);
  });

  it('leaves no placeholder in a deployed CLAUDE.md', async () => {
    const project = join(await tempDir(), 'project');
    await mkdir(project, { recursive: true });
    const result = await deployClaudeMd({ projectRoot: project, master: await loadMasterTemplate(bundledMasterPath()), mode: 'project' });
    assert.equal(result.action, 'created');
    const text = await readFile(join(project, 'CLAUDE.md'), 'utf8');
    assert.equal(text.match(/\{\{[A-Z_]+\}\}/g), null);
    assert.ok(text.includes(`- **Platform**: ${process.platform}`));
    const vars = await runtimeVariables(project, new Date());
    assert.ok(text.includes(`- **Python Command**: ${vars.PYTHON_CMD}`));
  });
});

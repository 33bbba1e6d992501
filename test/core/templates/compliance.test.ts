import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { claudeMdCompliance, createClaudeMdCompliance } from '../../../src/core/templates/compliance';
import { deployClaudeMd } from '../../../src/core/templates/deploy';
import { bundledMasterPath, loadMasterTemplate } from '../../../src/core/templates/master';
import { masterOfVersion, ownedText, projectTree } from './fixtures';

const byId = (items: { id: string; passed: boolean }[]) => Object.fromEntries(items.map((i) => [i.id, i.passed]));

describe('claudeMdCompliance', () => {
  it('fails with a fix command when CLAUDE.md is missing, foreign or outdated, and passes once deployed', async () => {
    const tree = await projectTree();
    const master = await masterOfVersion('016');
    const check = createClaudeMdCompliance({ master: async () => master, mode: async () => 'parent' });

    let items = await check(tree.project);
    assert.deepEqual(byId(items), { 'claude-md.present': false });
    assert.equal(items[0]!.fixCommand, 'claudePm.templates.deploy');

    await writeFile(tree.parentTarget, '# notes\n');
    assert.deepEqual(byId(await check(tree.project)), { 'claude-md.present': true, 'claude-md.owned': false });

    await writeFile(tree.parentTarget, ownedText('015'));
    items = await check(tree.project);
    assert.deepEqual(byId(items), { 'claude-md.present': true, 'claude-md.owned': true, 'claude-md.current': false });
    assert.match(items[2]!.detail, /deployed version 015, template version 016/);

    await deployClaudeMd({ projectRoot: tree.project, master, ceiling: tree.root });
    assert.deepEqual(byId(await check(tree.project)), { 'claude-md.present': true, 'claude-md.owned': true, 'claude-md.current': true });
  });

  it('reads the target mode from .claude-pm/config.json and uses the bundled master by default', async () => {
    const tree = await projectTree();
    await mkdir(join(tree.project, '.claude-pm'), { recursive: true });
    await writeFile(join(tree.project, '.claude-pm', 'config.json'), JSON.stringify({ templates: { target: 'claudePmDir' } }));
    assert.deepEqual(byId(await claudeMdCompliance(tree.project)), { 'claude-md.present': false });
    await deployClaudeMd({ projectRoot: tree.project, master: await loadMasterTemplate(bundledMasterPath()), mode: 'claudePmDir' });
    const items = await claudeMdCompliance(tree.project);
    assert.ok(items.every((i) => i.passed), JSON.stringify(items));
  });
});

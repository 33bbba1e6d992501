import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { initLayout, INIT_LAYOUT_COMMAND, layoutCompliance } from '../../../src/core/health/layoutCompliance';
import { compliancePercentage } from '../../../src/core/health/projects';
import { tempDir } from '../../helpers/tempDir';

describe('.claude-pm layout compliance', () => {
  it('fails the folder and sub-folder checks with a fix command when nothing is set up', async () => {
    const root = await tempDir();
    const items = await layoutCompliance(root);
    const byId = Object.fromEntries(items.map((i) => [i.id, i]));
    assert.equal(byId['layout.folder']?.passed, false);
    assert.equal(byId['layout.folder']?.fixCommand, INIT_LAYOUT_COMMAND);
    assert.equal(byId['layout.subfolders']?.passed, false);
    assert.equal(byId['layout.config']?.passed, true);
    assert.equal(byId['project.readme']?.passed, false);
    assert.equal(compliancePercentage(items), Math.round((3 / 8) * 100));
  });

  it('passes everything once initialised, and initLayout only creates what is missing', async () => {
    const root = await tempDir();
    await mkdir(join(root, '.claude-pm', 'logs'), { recursive: true });
    await writeFile(join(root, '.claude-pm', 'logs', 'keep.log'), 'kept');
    await writeFile(join(root, 'README.md'), '# r\n');
    const created = await initLayout(root);
    assert.deepEqual(created, ['.claude-pm/agents/project-specific', '.claude-pm/templates', '.claude-pm/memory']);
    assert.deepEqual(await readdir(join(root, '.claude-pm', 'logs')), ['keep.log']);
    const items = await layoutCompliance(root);
    assert.ok(items.every((i) => i.passed), JSON.stringify(items));
    assert.deepEqual(await initLayout(root), []);
  });

  it('fails on a config.json that is not JSON', async () => {
    const root = await tempDir();
    await initLayout(root);
    await writeFile(join(root, '.claude-pm', 'config.json'), '{\n  "health": {\n    "alert_threshold": \n}');
    const item = (await layoutCompliance(root)).find((i) => i.id === 'layout.config');
    assert.equal(item?.passed, false);
    assert.match(item!.detail, /config\.json: not valid JSON/);
  });

  it('fails on a config value of the wrong type', async () => {
    const root = await tempDir();
    await initLayout(root);
    await writeFile(join(root, '.claude-pm', 'config.json'), JSON.stringify({ health: { alert_threshold: 'high' } }));
    const item = (await layoutCompliance(root)).find((i) => i.id === 'layout.config');
    assert.equal(item?.passed, false);
    assert.match(item!.detail, /alert_threshold/);
  });
});

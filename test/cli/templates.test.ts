import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { FRAMEWORK_HEADER } from '../../src/core/templates/metadata';
import { cli } from '../helpers/runCli';
import { tempDir } from '../helpers/tempDir';

const REAL_MASTER = resolve(__dirname, '../../../shared/fixtures/cmpm/framework/CLAUDE.md');

async function project(): Promise<{ dir: string; parentTarget: string }> {
  const root = await tempDir('claude-pm-cli-tpl-');
  const dir = join(root, 'project');
  await mkdir(dir);
  return { dir, parentTarget: join(root, 'CLAUDE.md') };
}

describe('claude-pm deploy / rollback / template check', () => {
  it('deploys, reports unchanged, and answers in JSON', async () => {
    const { dir, parentTarget } = await project();
    const first = await cli(['deploy', '--template', REAL_MASTER, '--format', 'json'], { cwd: dir });
    assert.equal(first.code, 0, first.stderr);
    const json = JSON.parse(first.stdout);
    assert.deepEqual({ target: json.target, action: json.action, from: json.from_version, to: json.to_version, backup: json.backup }, { target: parentTarget, action: 'created', from: null, to: '016', backup: null });
    assert.ok((await readFile(parentTarget, 'utf8')).startsWith(FRAMEWORK_HEADER));

    const again = await cli(['deploy', '--template', REAL_MASTER, '--format', 'json'], { cwd: dir });
    assert.equal(JSON.parse(again.stdout).action, 'unchanged');
  });

  it('updates with the bundled master and rolls back to the previous bytes', async () => {
    const { dir, parentTarget } = await project();
    await cli(['deploy', '--template', REAL_MASTER], { cwd: dir });
    const before = await readFile(parentTarget, 'utf8');
    const update = await cli(['deploy', '--format', 'json'], { cwd: dir });
    const result = JSON.parse(update.stdout);
    assert.equal(result.action, 'updated');
    assert.equal(result.from_version, '016');
    assert.equal(result.to_version, '016-001');
    assert.match(result.backup, /parent_directory_manager\/CLAUDE\.md_\d{8}_\d{6}(_\d+)?\.backup$/);

    const rollback = await cli(['rollback'], { cwd: dir });
    assert.equal(rollback.code, 0, rollback.stderr);
    assert.match(rollback.stdout, /^Restored /);
    assert.equal(await readFile(parentTarget, 'utf8'), before);
  });

  it('refuses a foreign file with exit 1 and a way to compare, leaving it untouched', async () => {
    const { dir, parentTarget } = await project();
    await writeFile(parentTarget, '# Team notes\n');
    const refused = await cli(['deploy', '--force'], { cwd: dir });
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, /Refused: .* never overwritten/);
    assert.match(refused.stdout, /--dry-run --output/);
    const dry = await cli(['deploy', '--dry-run', '--output', 'rendered.md'], { cwd: dir });
    assert.equal(dry.code, 1);
    assert.ok((await readFile(join(dir, 'rendered.md'), 'utf8')).startsWith(FRAMEWORK_HEADER));
    assert.equal(await readFile(parentTarget, 'utf8'), '# Team notes\n');
  });

  it('deploys to --target and fills configured template variables', async () => {
    const { dir } = await project();
    await mkdir(join(dir, '.claude-pm'));
    await writeFile(join(dir, '.claude-pm', 'config.json'), JSON.stringify({ template_variables: { PLATFORM: 'linux' } }));
    const out = await cli(['deploy', '--target', 'out', '--format', 'json'], { cwd: dir });
    assert.equal(JSON.parse(out.stdout).target, join(dir, 'out', 'CLAUDE.md'));
    assert.match(await readFile(join(dir, 'out', 'CLAUDE.md'), 'utf8'), /- \*\*Platform\*\*: linux/);
  });

  it('template check exits 1 until the selected target is current, then 0', async () => {
    const { dir } = await project();
    const missing = await cli(['template', 'check', '--format', 'json'], { cwd: dir });
    assert.equal(missing.code, 1);
    const status = JSON.parse(missing.stdout);
    assert.equal(status.template.version, '016-001');
    assert.deepEqual(status.template.issues, []);
    assert.deepEqual(status.targets.map((t: { mode: string }) => t.mode), ['parent', 'project', 'claudePmDir']);
    await cli(['deploy'], { cwd: dir });
    const ok = await cli(['template', 'check'], { cwd: dir });
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /\* parent .*\n {4}version 016-001, up to date; last deploy/);
  });

  it('template check warns about sections the real master lacks', async () => {
    const { dir } = await project();
    const out = await cli(['template', 'check', '--template', REAL_MASTER], { cwd: dir });
    assert.match(out.stdout, /warning: missing section "## Core Responsibilities"/);
  });

  it('gives clear errors: no backups, --output without --dry-run, an unreadable master', async () => {
    const { dir } = await project();
    const none = await cli(['rollback'], { cwd: dir });
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no backups of/);
    assert.equal((await cli(['deploy', '--output', 'x.md'], { cwd: dir })).code, 2);
    const badTemplate = await cli(['deploy', '--template', 'nope.md'], { cwd: dir });
    assert.equal(badTemplate.code, 1);
    assert.match(badTemplate.stderr, /cannot read the master template/);
  });

  it('refuses a master with an unknown variable, naming it, and writes nothing', async () => {
    const { dir, parentTarget } = await project();
    await writeFile(join(dir, 'master.md'), `${FRAMEWORK_HEADER}\n<!--\nCLAUDE_MD_VERSION: 016\n-->\nHello {{TEAM}}\n`);
    const out = await cli(['deploy', '--template', 'master.md'], { cwd: dir });
    assert.equal(out.code, 1);
    assert.match(out.stderr, /unknown template variable \{\{TEAM\}\} \(line 5\)/);
    await assert.rejects(readFile(parentTarget), { code: 'ENOENT' });
    await mkdir(join(dir, '.claude-pm'));
    await writeFile(join(dir, '.claude-pm', 'config.json'), JSON.stringify({ template_variables: { TEAM: 'Platform' } }));
    assert.equal((await cli(['deploy', '--template', 'master.md'], { cwd: dir })).code, 0);
    assert.match(await readFile(parentTarget, 'utf8'), /Hello Platform/);
  });

  it('is denied without the template.deploy permission', async () => {
    const { dir, parentTarget } = await project();
    await mkdir(join(dir, '.claude-pm'));
    await writeFile(join(dir, '.claude-pm', 'policy.json'), JSON.stringify({ default_role: 'viewer' }));
    const denied = await cli(['deploy'], { cwd: dir });
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /template\.deploy/);
    await assert.rejects(readFile(parentTarget), { code: 'ENOENT' });
  });
});

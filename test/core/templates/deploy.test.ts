import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { frameworkBackupDir, listParentBackups, parentBackupDir, writeParentBackup } from '../../../src/core/templates/backups';
import { deployClaudeMd } from '../../../src/core/templates/deploy';
import { inspectDeployment } from '../../../src/core/templates/inspect';
import { loadMasterTemplate } from '../../../src/core/templates/master';
import { parseMetadata } from '../../../src/core/templates/metadata';
import { rollbackClaudeMd } from '../../../src/core/templates/rollback';
import { stateDir } from '../../../src/core/templates/state';
import { masterOfVersion, ownedText, projectTree, REAL_MASTER } from './fixtures';

const NOW = new Date(2025, 6, 23, 10, 11, 12);

describe('deploy', () => {
  it('creates the parent CLAUDE.md from the real master and records the managed directory', async () => {
    const tree = await projectTree();
    const master = await loadMasterTemplate(REAL_MASTER);
    const result = await deployClaudeMd({ projectRoot: tree.project, master, now: NOW, ceiling: tree.root });
    assert.equal(result.action, 'created');
    assert.equal(result.target, tree.parentTarget);
    assert.equal(result.from_version, null);
    assert.equal(result.to_version, '016');
    assert.equal(result.backup, null);
    const written = await readFile(tree.parentTarget, 'utf8');
    assert.equal(written, result.rendered);
    assert.equal(parseMetadata(written).claudeMdVersion, '016');
    const managed = JSON.parse(await readFile(join(stateDir(tree.project), 'configs', 'managed_directories.json'), 'utf8'));
    assert.equal(managed[join(tree.root, 'work')].conflict_resolution, 'backup_and_replace');
    const history = JSON.parse(await readFile(join(stateDir(tree.project), 'logs', 'operation_history.json'), 'utf8'));
    assert.equal(history.at(-1).operation, 'deploy');
    assert.equal(history.at(-1).action, 'created');
    assert.equal((await readdir(frameworkBackupDir(tree.project))).length, 1);
  });

  it('does not write at all when the versions are equal', async () => {
    const tree = await projectTree();
    const master = await masterOfVersion('016');
    await writeFile(tree.parentTarget, ownedText('016'));
    const result = await deployClaudeMd({ projectRoot: tree.project, master, now: NOW, ceiling: tree.root });
    assert.equal(result.action, 'unchanged');
    assert.equal(await readFile(tree.parentTarget, 'utf8'), ownedText('016'));
    await assert.rejects(readdir(join(tree.project, '.claude-pm')), { code: 'ENOENT' });
  });

  it('updates an older owned copy numerically, with a backup under the real name', async () => {
    const tree = await projectTree();
    const master = await masterOfVersion('015-010');
    await writeFile(tree.parentTarget, ownedText('015-009'));
    const result = await deployClaudeMd({ projectRoot: tree.project, master, now: NOW, ceiling: tree.root });
    assert.equal(result.action, 'updated');
    assert.equal(result.from_version, '015-009');
    assert.equal(basename(result.backup!), 'CLAUDE.md_20250723_101112.backup');
    assert.equal(await readFile(result.backup!, 'utf8'), ownedText('015-009'));
    assert.equal(parseMetadata(await readFile(tree.parentTarget, 'utf8')).claudeMdVersion, '015-010');
  });

  it('keeps a newer deployed copy unless forced', async () => {
    const tree = await projectTree();
    const master = await masterOfVersion('016');
    await writeFile(tree.parentTarget, ownedText('016-002'));
    const kept = await deployClaudeMd({ projectRoot: tree.project, master, now: NOW, ceiling: tree.root });
    assert.equal(kept.action, 'unchanged');
    assert.match(kept.reason!, /newer/);
    const forced = await deployClaudeMd({ projectRoot: tree.project, master, now: NOW, ceiling: tree.root, force: true });
    assert.equal(forced.action, 'updated');
    assert.equal(await readFile(forced.backup!, 'utf8'), ownedText('016-002'));
  });

  it('never overwrites a foreign CLAUDE.md, even with force, and hands back both texts for a diff', async () => {
    const tree = await projectTree();
    const master = await masterOfVersion('016');
    await writeFile(tree.parentTarget, '# My own notes\nkeep me\n');
    for (const force of [false, true]) {
      const result = await deployClaudeMd({ projectRoot: tree.project, master, now: NOW, ceiling: tree.root, force });
      assert.equal(result.action, 'refused');
      assert.match(result.reason!, /not managed by the framework/);
      assert.equal(result.current, '# My own notes\nkeep me\n');
      assert.ok(result.rendered?.startsWith('# Claude PM Framework Configuration - Deployment'));
    }
    assert.equal(await readFile(tree.parentTarget, 'utf8'), '# My own notes\nkeep me\n');
  });

  it('writes nothing on a dry run', async () => {
    const tree = await projectTree();
    const result = await deployClaudeMd({ projectRoot: tree.project, master: await masterOfVersion('016'), now: NOW, ceiling: tree.root, dryRun: true });
    assert.equal(result.action, 'created');
    await assert.rejects(readFile(tree.parentTarget), { code: 'ENOENT' });
  });

  it('skips the framework source tree unless asked for framework development', async () => {
    const tree = await projectTree();
    await writeFile(join(tree.project, 'pyproject.toml'), '[project]\nname = "claude-multiagent-pm"\n');
    const master = await masterOfVersion('016');
    const refused = await deployClaudeMd({ projectRoot: tree.project, master, ceiling: tree.root });
    assert.equal(refused.action, 'refused');
    assert.match(refused.reason!, /framework's own source tree/);
    assert.equal((await deployClaudeMd({ projectRoot: tree.project, master, ceiling: tree.root, frameworkDev: true })).action, 'created');
  });

  it('deploys to the project-level targets when chosen', async () => {
    const tree = await projectTree();
    const master = await masterOfVersion('016');
    assert.equal((await deployClaudeMd({ projectRoot: tree.project, master, mode: 'project' })).target, join(tree.project, 'CLAUDE.md'));
    assert.equal((await deployClaudeMd({ projectRoot: tree.project, master, mode: 'claudePmDir' })).target, join(tree.project, '.claude-pm', 'CLAUDE.md'));
    const explicit = join(tree.root, 'elsewhere');
    assert.equal((await deployClaudeMd({ projectRoot: tree.project, master, targetDir: explicit })).target, join(explicit, 'CLAUDE.md'));
  });

  it('keeps only the rootmost framework copy upward: updates it, backs up and removes the others', async () => {
    const tree = await projectTree();
    const master = await masterOfVersion('016');
    const top = join(tree.root, 'CLAUDE.md');
    await writeFile(top, ownedText('015-001', 'top'));
    await writeFile(tree.parentTarget, ownedText('015-002', 'middle'));
    await writeFile(join(tree.project, 'CLAUDE.md'), ownedText('015-003', 'project'));
    const plan = await deployClaudeMd({ projectRoot: tree.project, master, now: NOW, ceiling: tree.root, dryRun: true });
    assert.deepEqual(plan.removed, [{ path: join(tree.project, 'CLAUDE.md'), backup: null }, { path: tree.parentTarget, backup: null }]);
    assert.equal(await readFile(tree.parentTarget, 'utf8'), ownedText('015-002', 'middle'));
    const result = await deployClaudeMd({ projectRoot: tree.project, master, now: NOW, ceiling: tree.root });
    assert.equal(result.target, top);
    assert.equal(result.action, 'updated');
    assert.deepEqual(result.removed.map((r) => r.path).sort(), [join(tree.project, 'CLAUDE.md'), tree.parentTarget].sort());
    for (const removed of result.removed) await assert.rejects(readFile(removed.path), { code: 'ENOENT' });
    const backups = await Promise.all((await listParentBackups(tree.project)).map((b) => readFile(b.path, 'utf8')));
    assert.deepEqual(backups.sort(), [ownedText('015-001', 'top'), ownedText('015-002', 'middle'), ownedText('015-003', 'project')].sort());
    assert.deepEqual((await listParentBackups(tree.project)).map((b) => b.key), ['20250723_101112', '20250723_101112_01', '20250723_101112_02']);
  });

  it('prunes parent backups older than 30 days but keeps the newest', async () => {
    const tree = await projectTree();
    const old = await writeParentBackup(tree.project, Buffer.from('old'), new Date(2025, 4, 1, 9, 0, 0));
    await writeFile(tree.parentTarget, ownedText('015'));
    await deployClaudeMd({ projectRoot: tree.project, master: await masterOfVersion('016'), now: NOW, ceiling: tree.root });
    const names = (await listParentBackups(tree.project)).map((b) => b.path);
    assert.ok(!names.includes(old));
    assert.equal(names.length, 1);
  });

  it('keeps the 2 newest framework template backups', async () => {
    const tree = await projectTree();
    for (const [i, version] of ['014', '015', '016'].entries()) {
      await deployClaudeMd({ projectRoot: tree.project, master: await masterOfVersion(version, `v${version}`), now: new Date(NOW.getTime() + i * 1000), ceiling: tree.root });
    }
    const names = (await readdir(frameworkBackupDir(tree.project))).sort();
    assert.deepEqual(names, ['framework_CLAUDE_md_20250723_101113_000.backup', 'framework_CLAUDE_md_20250723_101114_000.backup']);
  });

  it('refuses to run with a damaged state file and changes nothing', async () => {
    const tree = await projectTree();
    await writeFile(tree.parentTarget, ownedText('015'));
    const history = join(stateDir(tree.project), 'logs', 'operation_history.json');
    await mkdir(join(stateDir(tree.project), 'logs'), { recursive: true });
    await writeFile(history, '[{"timestamp": ');
    await assert.rejects(deployClaudeMd({ projectRoot: tree.project, master: await masterOfVersion('016'), ceiling: tree.root }), /operation_history\.json: invalid JSON/);
    assert.equal(await readFile(tree.parentTarget, 'utf8'), ownedText('015'));
    assert.equal(await readFile(history, 'utf8'), '[{"timestamp": ');
    await assert.rejects(readdir(parentBackupDir(tree.project)), { code: 'ENOENT' });
  });

  it('keeps unknown keys of the state files when it rewrites them', async () => {
    const tree = await projectTree();
    const managedFile = join(stateDir(tree.project), 'configs', 'managed_directories.json');
    await mkdir(join(stateDir(tree.project), 'configs'), { recursive: true });
    const dir = join(tree.root, 'work');
    await writeFile(managedFile, JSON.stringify({ [dir]: { target_directory: dir, custom: { a: 1 } }, '/other': { target_directory: '/other', x: true } }));
    await deployClaudeMd({ projectRoot: tree.project, master: await masterOfVersion('016'), ceiling: tree.root, variables: { PLATFORM: 'linux', API_TOKEN: 'sk-ant-abcdefghijklmnop1234' } });
    const managed = JSON.parse(await readFile(managedFile, 'utf8'));
    assert.deepEqual(managed[dir].custom, { a: 1 });
    assert.deepEqual(managed[dir].template_variables, { PLATFORM: 'linux', API_TOKEN: '***' });
    assert.deepEqual(managed['/other'], { target_directory: '/other', x: true });
  });
});

describe('rollback', () => {
  it('restores the previous bytes exactly, after backing up the current file', async () => {
    const tree = await projectTree();
    await writeFile(tree.parentTarget, ownedText('015', 'before'));
    await deployClaudeMd({ projectRoot: tree.project, master: await masterOfVersion('016'), now: NOW, ceiling: tree.root });
    const deployed = await readFile(tree.parentTarget, 'utf8');
    const result = await rollbackClaudeMd({ projectRoot: tree.project, ceiling: tree.root, now: new Date(NOW.getTime() + 5000) });
    assert.equal(result.changed, true);
    assert.equal(await readFile(tree.parentTarget, 'utf8'), ownedText('015', 'before'));
    assert.equal(await readFile(result.backup!, 'utf8'), deployed);
  });

  it('restores the backup named by --to, and explains when none matches', async () => {
    const tree = await projectTree();
    await writeFile(tree.parentTarget, ownedText('014', 'first'));
    await deployClaudeMd({ projectRoot: tree.project, master: await masterOfVersion('015'), now: NOW, ceiling: tree.root });
    await deployClaudeMd({ projectRoot: tree.project, master: await masterOfVersion('016'), now: new Date(2025, 6, 24, 8, 0, 0), ceiling: tree.root });
    await rollbackClaudeMd({ projectRoot: tree.project, ceiling: tree.root, timestamp: '20250723_101112' });
    assert.equal(await readFile(tree.parentTarget, 'utf8'), ownedText('014', 'first'));
    await assert.rejects(rollbackClaudeMd({ projectRoot: tree.project, ceiling: tree.root, timestamp: '19990101_000000' }), /no backup .* matches 19990101_000000; available: /);
  });

  it('fails clearly without backups and never replaces a foreign file', async () => {
    const tree = await projectTree();
    await assert.rejects(rollbackClaudeMd({ projectRoot: tree.project, ceiling: tree.root }), /no backups of/);
    await writeFile(tree.parentTarget, ownedText('015'));
    await deployClaudeMd({ projectRoot: tree.project, master: await masterOfVersion('016'), ceiling: tree.root });
    await writeFile(tree.parentTarget, 'mine now\n');
    await assert.rejects(rollbackClaudeMd({ projectRoot: tree.project, ceiling: tree.root }), /never overwritten/);
    assert.equal(await readFile(tree.parentTarget, 'utf8'), 'mine now\n');
  });

  it('finds backups made by the real tool (HEAD names) too', async () => {
    const tree = await projectTree();
    await mkdir(parentBackupDir(tree.project), { recursive: true });
    await writeFile(join(parentBackupDir(tree.project), 'CLAUDE_20250101_120000_123.backup'), ownedText('014', 'real tool'));
    const result = await rollbackClaudeMd({ projectRoot: tree.project, ceiling: tree.root });
    assert.equal(result.backup, null);
    assert.equal(await readFile(tree.parentTarget, 'utf8'), ownedText('014', 'real tool'));
  });
});

describe('inspectDeployment', () => {
  it('reports each target: owned or foreign, versions, last deploy, backups, update available', async () => {
    const tree = await projectTree();
    await writeFile(tree.parentTarget, ownedText('015'));
    await writeFile(join(tree.project, 'CLAUDE.md'), '# Notes\n');
    const master = await masterOfVersion('016');
    let status = await inspectDeployment(tree.project, { master, ceiling: tree.root });
    const parent = status.targets.find((t) => t.mode === 'parent')!;
    assert.deepEqual(
      { selected: parent.selected, owned: parent.owned, deployedVersion: parent.deployedVersion, updateAvailable: parent.updateAvailable, backups: parent.backups },
      { selected: true, owned: true, deployedVersion: '015', updateAvailable: true, backups: 0 },
    );
    const project = status.targets.find((t) => t.mode === 'project')!;
    assert.deepEqual({ exists: project.exists, owned: project.owned, updateAvailable: project.updateAvailable }, { exists: true, owned: false, updateAvailable: false });
    assert.equal(status.targets.find((t) => t.mode === 'claudePmDir')!.exists, false);

    await deployClaudeMd({ projectRoot: tree.project, master, now: NOW, ceiling: tree.root });
    status = await inspectDeployment(tree.project, { master, ceiling: tree.root });
    const after = status.targets.find((t) => t.mode === 'parent')!;
    assert.deepEqual({ version: after.deployedVersion, update: after.updateAvailable, differs: after.contentDiffers, backups: after.backups, last: after.lastDeploy }, { version: '016', update: false, differs: false, backups: 1, last: NOW.toISOString() });

    const edited = await masterOfVersion('016', 'changed body');
    assert.equal((await inspectDeployment(tree.project, { master: edited, ceiling: tree.root })).targets[0]!.contentDiffers, true);
  });
});

describe('backups under contention', () => {
  it('never lets two backups taken in the same second overwrite each other', async () => {
    const tree = await projectTree();
    const paths = await Promise.all(Array.from({ length: 12 }, (_, i) => writeParentBackup(tree.project, Buffer.from(`content ${i}`), NOW)));
    assert.equal(new Set(paths).size, 12);
    const contents = await Promise.all(paths.map((p) => readFile(p, 'utf8')));
    assert.deepEqual(contents, Array.from({ length: 12 }, (_, i) => `content ${i}`));
    assert.deepEqual((await readdir(parentBackupDir(tree.project))).filter((n) => !n.endsWith('.backup')), []);
  });
});

describe('de-duplication carries the newest copy', () => {
  it('gives the kept rootmost copy the content of a newer duplicate, unless forced to the template', async () => {
    const tree = await projectTree();
    const master = await masterOfVersion('016');
    const top = join(tree.root, 'CLAUDE.md');
    await writeFile(top, ownedText('015', 'top'));
    await writeFile(tree.parentTarget, ownedText('017-002', 'newest below'));
    const result = await deployClaudeMd({ projectRoot: tree.project, master, now: NOW, ceiling: tree.root });
    assert.deepEqual({ target: result.target, action: result.action, to: result.to_version }, { target: top, action: 'updated', to: '017-002' });
    assert.equal(await readFile(top, 'utf8'), ownedText('017-002', 'newest below'));
    await assert.rejects(readFile(tree.parentTarget), { code: 'ENOENT' });

    await writeFile(tree.parentTarget, ownedText('018', 'even newer'));
    const forced = await deployClaudeMd({ projectRoot: tree.project, master, now: NOW, ceiling: tree.root, force: true });
    assert.equal(forced.to_version, '016');
    assert.equal(parseMetadata(await readFile(top, 'utf8')).claudeMdVersion, '016');
  });
});

describe('temp files of killed deploys', () => {
  it('are removed by the next deploy when their process is gone, and only those', async () => {
    const tree = await projectTree();
    const dir = join(tree.root, 'work');
    const deadPid = 2 ** 22 + 12345; // above the default pid_max: never a running process
    const stale = [`.CLAUDE.md.${deadPid}.0a1b2c3d.tmp`];
    const kept = [`.CLAUDE.md.${process.pid}.0a1b2c3d.tmp`, `.notes.md.${deadPid}.0a1b2c3d.tmp`, 'other.txt'];
    for (const name of [...stale, ...kept]) await writeFile(join(dir, name), 'x');
    await mkdir(parentBackupDir(tree.project), { recursive: true });
    await writeFile(join(parentBackupDir(tree.project), `.staging.${deadPid}.0a1b2c3d`), 'x');
    await deployClaudeMd({ projectRoot: tree.project, master: await masterOfVersion('016'), ceiling: tree.root });
    assert.deepEqual((await readdir(dir)).sort(), [...kept, 'CLAUDE.md', 'project'].sort());
    assert.deepEqual(await readdir(parentBackupDir(tree.project)), []);
  });
});

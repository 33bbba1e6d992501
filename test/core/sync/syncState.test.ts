import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { withSyncLock } from '../../../src/core/sync/syncLock';
import { SYNC_STATE_PATH, SyncStateFile } from '../../../src/core/sync/syncState';
import { tempDir } from '../../helpers/tempDir';

describe('sync state file', () => {
  it('keeps repositories and URLs named like Object.prototype members as data through a save and a load', async () => {
    const ws = await tempDir('sync-state-');
    const state = await SyncStateFile.load(ws);
    const repo = state.repo('__proto__');
    repo.issues.set(7, { ticket: 'ISS-0007', updatedAt: '2026-01-01T00:00:00Z', hash: 'h', notes: ['n'], comments: [3] });
    repo.pages.set('constructor', { etag: 'W/"e"', issues: [[7, '2026-01-01T00:00:00Z', 1]] });
    state.repo('toString').milestones.set(2, 'EP-0001');
    await state.save();
    const again = await SyncStateFile.load(ws);
    assert.equal(again.repo('__proto__').issues.get(7)?.ticket, 'ISS-0007');
    assert.equal(again.repo('__proto__').pages.get('constructor')?.etag, 'W/"e"');
    assert.equal(again.repo('toString').milestones.get(2), 'EP-0001');
    assert.equal(({} as Record<string, unknown>).ticket, undefined);
  });

  it('a broken file is an error naming the file, line and column, and says what to do; it is left as it was', async () => {
    const ws = await tempDir('sync-state-');
    const path = join(ws, SYNC_STATE_PATH);
    await mkdir(dirname(path), { recursive: true });
    const broken = '{\n  "version": 1,\n  "repos": [\n    ["a/b", {]\n}\n';
    await writeFile(path, broken);
    await assert.rejects(SyncStateFile.load(ws), (error: Error) => {
      assert.match(error.message, new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:\\d+: not valid JSON`));
      assert.match(error.message, /delete it: the next sync then finds its tickets by their github link/);
      return true;
    });
    await writeFile(path, JSON.stringify({ version: 2, repos: [] }));
    await assert.rejects(SyncStateFile.load(ws), /not a sync state this version reads \(version: /);
    assert.equal(await readFile(path, 'utf8'), JSON.stringify({ version: 2, repos: [] }));
  });
});

describe('sync lock', () => {
  it('refuses a second sync while one runs, takes over a lock whose process is gone, and removes its own', async () => {
    const ws = await tempDir('sync-lock-');
    const lock = join(ws, '.claude-pm', 'sync', 'github.lock');
    let release!: () => void;
    const first = withSyncLock(lock, () => new Promise<void>((resolve) => (release = resolve)));
    await new Promise((r) => setTimeout(r, 20));
    await assert.rejects(withSyncLock(lock, async () => 'second'), /another GitHub sync of this workspace is running \(process \d+, since 20\d\d-/);
    release();
    await first;
    assert.equal(existsSync(lock), false);
    await writeFile(lock, '999999999 2026-01-01T00:00:00.000Z dead');
    assert.equal(await withSyncLock(lock, async () => 'taken over'), 'taken over');
    assert.equal(existsSync(lock), false);
  });
});

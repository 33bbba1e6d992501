import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { resolveTicketRoot } from '../../../src/core/tickets/root';
import { tempDir } from '../../helpers/tempDir';
import { PYTOOLS_ROOT, TOOLS_ROOT } from './fixtures';

async function workspace(files: Record<string, string>, dirs: string[] = []): Promise<string> {
  const root = await tempDir();
  for (const dir of dirs) await mkdir(join(root, dir), { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

describe('ticket root resolution', () => {
  it('follows flag → AITRACKDOWN_TASKS_DIR → AITRACKDOWN_ROOT_DIR → tasks_directory → legacy → default', async () => {
    const ws = await workspace({ '.ai-trackdown/config.yaml': 'name: x\ntasks_directory: work\n', '.aitrackdown.json': '{"rootDir": "./legacy"}' }, ['work']);
    assert.equal((await resolveTicketRoot(ws, { root: 'flagged', env: { AITRACKDOWN_TASKS_DIR: 'env' } })).root, join(ws, 'flagged'));
    assert.equal((await resolveTicketRoot(ws, { env: { AITRACKDOWN_TASKS_DIR: 'env', AITRACKDOWN_ROOT_DIR: 'other' } })).source, 'env');
    assert.equal((await resolveTicketRoot(ws, { env: { AITRACKDOWN_ROOT_DIR: 'other' } })).root, join(ws, 'other'));
    const fromConfig = await resolveTicketRoot(ws);
    assert.equal(fromConfig.root, join(ws, 'work'));
    assert.equal(fromConfig.source, 'config');
    assert.equal(fromConfig.exists, true);
    const legacy = await workspace({ '.aitrackdown.json': '{"rootDir": "./legacy"}' });
    assert.equal((await resolveTicketRoot(legacy)).root, join(legacy, 'legacy'));
  });

  it('defaults to tasks/, tickets/ for pytools, or whichever of the two exists', async () => {
    const empty = await workspace({});
    assert.equal((await resolveTicketRoot(empty)).root, join(empty, 'tasks'));
    assert.equal((await resolveTicketRoot(empty)).exists, false);
    const py = await workspace({ '.ai-trackdown/config.yaml': 'version: 0.9.0\neditor:\n  default: vim\ntasks:\n  auto_id: true\n' });
    const pyRoot = await resolveTicketRoot(py);
    assert.equal(pyRoot.root, join(py, 'tickets'));
    assert.equal(pyRoot.configFormat, 'pytools');
    const cmpmLike = await workspace({}, ['tickets/issues']);
    assert.equal((await resolveTicketRoot(cmpmLike)).root, join(cmpmLike, 'tickets'));
  });

  it('reads both real config shapes', async () => {
    const py = await resolveTicketRoot(PYTOOLS_ROOT);
    assert.equal(py.configFormat, 'pytools');
    assert.equal(py.root, join(PYTOOLS_ROOT, 'tasks'));
    // ai-trackdown-tools' own repository names `tasks`, which it does not have: its 9 examples are used instead.
    const tools = await resolveTicketRoot(TOOLS_ROOT);
    assert.equal(tools.configFormat, 'tools');
    assert.equal(tools.source, 'discovered');
    assert.equal(tools.root, join(TOOLS_ROOT, 'examples'));
    assert.equal(tools.configuredRootMissing, true);
    assert.equal(tools.structure.prs, 'prs');
    assert.equal(tools.diagnostics.length, 1);
    assert.match(tools.diagnostics[0].message, /names the ticket folder tasks, which does not exist; using examples \(9 tickets\) instead/);
    assert.equal(tools.diagnostics[0].line, 34);
  });

  it('reports a broken config and falls back to defaults', async () => {
    const ws = await workspace({ '.ai-trackdown/config.yaml': 'name: [unclosed\n', '.aitrackdown.json': '{oops' });
    const root = await resolveTicketRoot(ws);
    assert.equal(root.root, join(ws, 'tasks'));
    assert.equal(root.diagnostics.length, 2);
    assert.match(root.diagnostics[0].message, /invalid YAML/);
    assert.match(root.diagnostics[1].message, /invalid JSON/);
  });
});

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ClaudeRunner } from '../../../src/core/agents/claudeRunner';
import { findRepository, isolatedRunner, worktreePath } from '../../../src/core/agents/worktreeIsolation';
import { git, gitRepo } from '../../helpers/gitRepo';
import { startScriptedModelServer, type ScriptedModelServer } from '../../helpers/scriptedModelServer';
import { tempDir } from '../../helpers/tempDir';

// The real Claude Code CLI from npm in an isolated worktree, against the local scripted Messages API.
const CLAUDE = resolve(__dirname, '../../../node_modules/.bin/claude');

describe('isolated worktree with the real claude CLI', () => {
  let server: ScriptedModelServer;
  let home: string;
  before(async () => {
    server = await startScriptedModelServer();
    home = await tempDir('claude-home-');
  });
  after(() => server.close());

  it("keeps the file the model writes on the step's branch, out of the user's working tree", async () => {
    const root = await gitRepo({ 'README.md': '# app\n' });
    const target = { runId: '20260101-000000-claude-abcd', step: 'engineer' };
    // The model is told where it works (its working directory), so the script names the worktree's path.
    const file = join(await worktreePath(await findRepository(root), target), 'NOTES.md');
    server.script([{ text: 'Writing the notes.', toolUse: { name: 'Write', input: { file_path: file, content: '# Notes\nwritten in isolation\n' } } }, { text: 'Notes written.' }]);
    const env = { ...process.env, HOME: home, ANTHROPIC_BASE_URL: server.baseUrl, ANTHROPIC_API_KEY: 'sk-test', DISABLE_AUTOUPDATER: '1' };
    const runner = isolatedRunner(new ClaudeRunner({ claudePath: CLAUDE, env, permissionMode: 'acceptEdits' }), target);
    const result = await runner.run({ agentType: 'engineer', task: 'write NOTES.md', cwd: root });
    assert.equal(result.status, 'succeeded', result.error);
    assert.equal(result.output, 'Notes written.');
    assert.deepEqual(result.isolation, { branch: 'claude-pm/20260101-000000-claude-abcd/engineer', base: git(root, 'rev-parse', 'HEAD'), diffStat: { files: 1, insertions: 2, deletions: 0 } });
    assert.equal(git(root, 'show', `${result.isolation!.branch}:NOTES.md`), '# Notes\nwritten in isolation');
    assert.equal(existsSync(join(root, 'NOTES.md')), false);
    assert.equal(existsSync(file), false, 'the worktree is removed');
    assert.equal(git(root, 'status', '--porcelain'), '');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cli } from '../helpers/runCli';
import { tempDir } from '../helpers/tempDir';

const json = async (args: string[], cwd: string) => {
  const result = await cli([...args, '--format', 'json'], { cwd });
  assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
  return JSON.parse(result.stdout) as unknown;
};

describe('claude-pm memory categories and contexts', () => {
  it('registers a category in a fresh workspace, renames it with its memories and removes it once unused', async () => {
    const cwd = await tempDir();
    await json(['memory', 'categories', 'add', 'infra', 'Infrastructure', 'decisions'], cwd);
    const listed = (await json(['memory', 'categories', 'list'], cwd)) as { name: string; description: string; builtin: boolean }[];
    assert.deepEqual(listed.find((c) => c.name === 'infra'), { name: 'infra', description: 'Infrastructure decisions', builtin: false });
    assert.equal(listed.find((c) => c.name === 'project')?.builtin, true);
    await json(['memory', 'add', '--category', 'infra', 'Terraform state lives in the ops bucket'], cwd);

    assert.deepEqual(await json(['memory', 'categories', 'rename', 'infra', 'platform'], cwd), { from: 'infra', to: 'platform', moved: 1 });
    const moved = (await json(['memory', 'list', '--category', 'platform'], cwd)) as { content: string }[];
    assert.deepEqual(moved.map((m) => m.content), ['Terraform state lives in the ops bucket']);
    const used = await cli(['memory', 'categories', 'remove', 'platform'], { cwd });
    assert.equal(used.code, 1);
    assert.match(used.stderr, /Memories still use the category 'platform'/);
    await json(['memory', 'delete', (moved[0] as unknown as { id: string }).id], cwd);
    await json(['memory', 'categories', 'remove', 'platform'], cwd);
    const builtin = await cli(['memory', 'categories', 'remove', 'error'], { cwd });
    assert.equal(builtin.code, 1);
    assert.match(builtin.stderr, /built-in/);
    const bad = await cli(['memory', 'categories', 'add', '__proto__', 'x'], { cwd });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Invalid category/);
  });

  it('saves, shows and switches session contexts, carrying patterns over', async () => {
    const cwd = await tempDir();
    await json(['memory', 'add', '--category', 'pattern', '--meta', 'technology=FastAPI', 'checkout retries use idempotency keys'], cwd);
    await json(['memory', 'context', 'save', 'checkout', '--task', 'Retry failed payments', '--technology', 'FastAPI', '--next', 'add metrics'], cwd);
    await json(['memory', 'context', 'save', 'billing', '--task', 'Invoice export'], cwd);
    const sessions = (await json(['memory', 'context', 'show'], cwd)) as { session: string }[];
    assert.deepEqual(sessions.map((s) => s.session).sort(), ['billing', 'checkout']);
    assert.deepEqual(await json(['memory', 'context', 'show', 'checkout'], cwd), {
      session: 'checkout',
      context: { currentTask: 'Retry failed payments', technologies: ['FastAPI'], nextSteps: ['add metrics'] },
    });
    const switched = (await json(['memory', 'context', 'switch', 'checkout', 'billing'], cwd)) as { carried: { tags: string[] }[]; context: { currentTask: string } };
    assert.equal(switched.context.currentTask, 'Invoice export');
    assert.deepEqual(switched.carried.map((m) => m.tags), [['context:billing']]);
    const missing = await cli(['memory', 'context', 'show', 'nowhere'], { cwd });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No stored context for session 'nowhere'/);
  });

  it('filters a listing by project and a search by technology and a confidence threshold', async () => {
    const cwd = await tempDir();
    await json(['memory', 'add', '--category', 'pattern', '--project', 'api', '--meta', 'technology=FastAPI', 'cache tokens in redis with a short ttl'], cwd);
    await json(['memory', 'add', '--category', 'pattern', '--project', 'web', '--meta', 'technology=React', 'cache query results in react query'], cwd);
    const api = (await json(['memory', 'list', '--project', 'api'], cwd)) as { content: string }[];
    assert.deepEqual(api.map((m) => m.content), ['cache tokens in redis with a short ttl']);
    const react = (await json(['memory', 'search', 'cache', '--technology', 'react'], cwd)) as { content: string }[];
    assert.deepEqual(react.map((m) => m.content), ['cache query results in react query']);
    const strict = (await json(['memory', 'search', 'cache redis tokens', '--threshold', '1'], cwd)) as { score: number }[];
    assert.ok(strict.length >= 1 && strict.every((h) => h.score === 1));
    assert.equal((await cli(['memory', 'search', 'cache', '--threshold', '2'], { cwd })).code, 2);
  });
});

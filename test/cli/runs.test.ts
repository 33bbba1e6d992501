import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, lstat, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cli } from '../helpers/runCli';
import { startScriptedModelServer, type ScriptedModelServer } from '../helpers/scriptedModelServer';
import { tempDir } from '../helpers/tempDir';

const CLAUDE = resolve(__dirname, '../../node_modules/.bin/claude');

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', ...args], { cwd, encoding: 'utf8' });
}

/** A git project with one committed file, and a `claude` that records its arguments before running the real CLI. */
async function project(): Promise<{ root: string; env: NodeJS.ProcessEnv; argsLog: string }> {
  const base = await tempDir();
  const root = join(base, 'project');
  const home = join(base, 'home');
  await mkdir(join(root, '.claude-pm'), { recursive: true });
  await mkdir(home);
  await writeFile(join(root, 'README.md'), '# Demo\n');
  git(root, 'init', '-q');
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'initial');
  const argsLog = join(base, 'claude-args.log');
  const wrapper = join(base, 'claude');
  // Arguments end with NUL, invocations with \x01: prompts span lines.
  await writeFile(wrapper, `#!/bin/sh\nfor a in "$@"; do printf '%s\\0' "$a"; done >> '${argsLog}'\nprintf '\\001' >> '${argsLog}'\nexec '${CLAUDE}' "$@"\n`);
  await chmod(wrapper, 0o755);
  return { root, argsLog, env: { ...process.env, HOME: home, CLAUDE_PM_CLAUDE_PATH: wrapper, DISABLE_AUTOUPDATER: '1', ANTHROPIC_API_KEY: 'sk-test' } };
}

interface Recorded {
  id: string;
  status: string;
  costUsd?: number;
  usage?: Record<string, number>;
  steps: { name: string; sessionId?: string; usage?: Record<string, number>; continuations?: Turn[] }[];
  checkpoint?: { before?: string; after?: string; files?: { path: string; change: string }[]; unavailable?: string };
  continuations?: Turn[];
}

interface Turn {
  message: string;
  status: string;
  resumed: string;
  sessionId?: string;
  outputTail?: string;
  usage?: Record<string, number>;
}

async function record(root: string, id: string): Promise<Recorded> {
  return JSON.parse(await readFile(join(root, '.claude-pm', 'runs', `${id}.json`), 'utf8')) as Recorded;
}

describe('claude-pm runs changes, revert and continue', () => {
  let server: ScriptedModelServer;
  before(async () => {
    server = await startScriptedModelServer();
  });
  after(() => server.close());

  it("checkpoints a real Claude run, lists and reverts its files, and continues its session under the same run", async () => {
    const { root, env, argsLog } = await project();
    env.ANTHROPIC_BASE_URL = server.baseUrl;
    server.script([{ text: 'Writing notes.', toolUse: { name: 'Write', input: { file_path: join(root, 'notes.md'), content: '# Notes\n' } } }, { text: 'Notes written.' }]);
    const delegated = await cli(['delegate', '--agent', 'engineer', '--format', 'json', 'write the notes'], { cwd: root, env });
    assert.equal(delegated.code, 0, delegated.stderr);
    const { id } = JSON.parse(delegated.stdout) as { id: string };
    assert.match(delegated.stderr, /the run changed 1 file: claude-pm runs changes/);
    const first = await record(root, id);
    assert.deepEqual(first.checkpoint!.files!.map((f) => [f.path, f.change]), [['notes.md', 'added']]);
    const session = first.steps[0]!.sessionId!;
    assert.ok(session);

    const listed = await cli(['runs', 'changes', id, '--format', 'json'], { cwd: root, env });
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual((JSON.parse(listed.stdout) as { files: unknown[] }).files, [{ path: 'notes.md', change: 'added', changedSinceRun: false }]);

    // The follow-up resumes the session: the real CLI is started with --resume and sends the first turn along.
    server.script([{ text: 'Added a second heading.', toolUse: { name: 'Write', input: { file_path: join(root, 'notes.md'), content: '# Notes\n\n## More\n' } } }, { text: 'Done as well.' }]);
    const requestsBefore = server.requests.length;
    const continued = await cli(['runs', 'continue', id, '--format', 'json', 'add a second heading'], { cwd: root, env });
    assert.equal(continued.code, 0, continued.stderr);
    const invocations = (await readFile(argsLog, 'utf8')).split('\x01').filter(Boolean).map((line) => line.split('\0')).filter((args) => args[0] === '-p');
    assert.equal(invocations.length, 2);
    assert.ok(!invocations[0]!.includes('--resume'));
    assert.equal(invocations[1]![invocations[1]!.indexOf('--resume') + 1], session);
    // The same agent settings: role prompt, model and tools.
    const setting = (args: string[], flag: string) => args[args.indexOf(flag) + 1];
    for (const flag of ['--append-system-prompt', '--model', '--permission-mode']) assert.equal(setting(invocations[1]!, flag), setting(invocations[0]!, flag), flag);
    const resumedRequest = server.requests.slice(requestsBefore).find((r) => r.main)!;
    const conversation = JSON.stringify(resumedRequest.body.messages);
    assert.match(conversation, /write the notes[\s\S]*Notes written\.[\s\S]*add a second heading/);

    const both = await record(root, id);
    assert.equal(both.status, 'succeeded');
    assert.equal(both.continuations!.length, 1);
    const turn = both.continuations![0]!;
    assert.equal(turn.message, 'add a second heading');
    assert.equal(turn.resumed, session);
    assert.equal(turn.status, 'succeeded');
    assert.equal(turn.outputTail, 'Done as well.');
    // The run's totals hold both turns.
    assert.ok(both.usage!.output_tokens! >= first.usage!.output_tokens! + turn.usage!.output_tokens!);
    assert.ok(both.costUsd! > first.costUsd!);
    // The checkpoint now reaches to the end of the follow-up.
    assert.notEqual(both.checkpoint!.after, first.checkpoint!.after);
    assert.equal(both.checkpoint!.before, first.checkpoint!.before);

    // Someone edits the file after the run: revert refuses it until forced.
    await writeFile(join(root, 'notes.md'), 'mine now\n');
    const refused = await cli(['runs', 'revert', id], { cwd: root, env });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr + refused.stdout, /left alone: notes\.md \(changed since the run ended\)[\s\S]*--force/);
    assert.equal(await readFile(join(root, 'notes.md'), 'utf8'), 'mine now\n');
    const forced = await cli(['runs', 'revert', id, '--force', '--format', 'json'], { cwd: root, env });
    assert.equal(forced.code, 0, forced.stderr);
    assert.deepEqual(JSON.parse(forced.stdout), { run: id, restored: [], removed: ['notes.md'], skipped: [] });
    await assert.rejects(lstat(join(root, 'notes.md')), /ENOENT/);
    const audit = await readFile(join(root, '.claude-pm', 'logs', 'audit.log'), 'utf8');
    assert.match(audit, new RegExp(`revert run ${id}`));
    assert.match(audit, new RegExp(`continue run ${id}`));
  });

  it("continues a workflow step's session with --step, records the turn under that step and extends the run's checkpoint", async () => {
    const { root, env, argsLog } = await project();
    env.ANTHROPIC_BASE_URL = server.baseUrl;
    await mkdir(join(root, '.claude-pm', 'workflows'), { recursive: true });
    await writeFile(
      join(root, '.claude-pm', 'workflows', 'wf.yaml'),
      ['name: notes', 'steps:', '  - name: prepare', '    command: echo ready > ready.txt', '  - name: write', '    agent_type: engineer', '    task: write the notes', ''].join('\n'),
    );
    server.script([{ text: 'Writing notes.', toolUse: { name: 'Write', input: { file_path: join(root, 'notes.md'), content: '# Notes\n' } } }, { text: 'Notes written.' }]);
    const ran = await cli(['workflow', 'run', '.claude-pm/workflows/wf.yaml', '--skip-memory', '--format', 'json'], { cwd: root, env });
    assert.equal(ran.code, 0, ran.stderr);
    const { id } = JSON.parse(ran.stdout) as { id: string };
    const first = await record(root, id);
    assert.deepEqual(first.checkpoint!.files!.map((f) => [f.path, f.change]).sort(), [['notes.md', 'added'], ['ready.txt', 'added']]);
    const session = first.steps.find((s) => s.name === 'write')!.sessionId!;
    assert.ok(session);

    const unnamed = await cli(['runs', 'continue', id, 'more'], { cwd: root, env });
    assert.equal(unnamed.code, 1);
    assert.match(unnamed.stderr, /is a workflow run: name the step to continue \(write\)/);
    const commandStep = await cli(['runs', 'continue', id, '--step', 'prepare', 'more'], { cwd: root, env });
    assert.equal(commandStep.code, 1);
    assert.match(commandStep.stderr, /Step prepare of run .* has no Claude Code session/);

    server.script([{ text: 'Added a heading.', toolUse: { name: 'Write', input: { file_path: join(root, 'notes.md'), content: '# Notes\n\n## More\n' } } }, { text: 'Heading added.' }]);
    const continued = await cli(['runs', 'continue', id, '--step', 'write', '--format', 'json', 'add a heading'], { cwd: root, env });
    assert.equal(continued.code, 0, continued.stderr);
    const invocations = (await readFile(argsLog, 'utf8')).split('\x01').filter(Boolean).map((line) => line.split('\0')).filter((args) => args[0] === '-p');
    assert.equal(invocations.at(-1)![invocations.at(-1)!.indexOf('--resume') + 1], session);

    const both = await record(root, id);
    assert.equal(both.status, 'succeeded');
    assert.equal(both.continuations, undefined);
    const turns = both.steps.find((s) => s.name === 'write')!.continuations!;
    assert.equal(turns.length, 1);
    assert.equal(turns[0]!.message, 'add a heading');
    assert.equal(turns[0]!.resumed, session);
    assert.equal(turns[0]!.outputTail, 'Heading added.');
    assert.equal(both.steps.find((s) => s.name === 'prepare')!.continuations, undefined);
    assert.equal(both.checkpoint!.before, first.checkpoint!.before);
    assert.notEqual(both.checkpoint!.after, first.checkpoint!.after);

    // Revert takes back the workflow's files and the follow-up's edit alike.
    const reverted = await cli(['runs', 'revert', id, '--format', 'json'], { cwd: root, env });
    assert.equal(reverted.code, 0, reverted.stderr);
    assert.deepEqual((JSON.parse(reverted.stdout) as { removed: string[] }).removed.sort(), ['notes.md', 'ready.txt']);
    const audit = await readFile(join(root, '.claude-pm', 'logs', 'audit.log'), 'utf8');
    assert.match(audit, new RegExp(`continue run ${id} step write`));
  });

  it('explains what it cannot do: unknown runs, bad ids, runs without a checkpoint or a session', async () => {
    const { root, env } = await project();
    const bad = await cli(['runs', 'changes', '../../etc/passwd'], { cwd: root, env });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not a run id/);
    assert.equal((await cli(['runs', 'revert', 'nope-1234'], { cwd: root, env })).code, 2);
    const base = await tempDir();
    await writeFile(join(base, 'x.txt'), 'x');
    await mkdir(join(base, '.claude-pm'));
    await writeFile(join(base, '.claude-pm', 'config.json'), JSON.stringify({ agents: { runner: 'command', commands: { qa: 'echo hi > out.txt' } } }));
    const plain = await cli(['delegate', '--agent', 'qa', '--format', 'json', 'check'], { cwd: base, env });
    assert.equal(plain.code, 0, plain.stderr);
    const { id } = JSON.parse(plain.stdout) as { id: string };
    assert.equal((await record(base, id)).checkpoint!.unavailable, 'not a git repository');
    const changes = await cli(['runs', 'changes', id], { cwd: base, env });
    assert.equal(changes.code, 1);
    assert.match(changes.stderr, /has no checkpoint \(not a git repository\)/);
    const resumed = await cli(['runs', 'continue', id, 'more'], { cwd: base, env });
    assert.equal(resumed.code, 1);
    assert.match(resumed.stderr, /Only Claude Code runs can be continued/);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, type CliCommand } from '../../src/cli/framework';
import { cli } from '../helpers/runCli';
import { tempDir } from '../helpers/tempDir';

describe('claude-pm CLI framework', () => {
  it('prints help and the version with exit code 0', async () => {
    const help = await cli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /config show/);
    const version = await cli(['--version']);
    assert.equal(version.stdout.trim(), '0.0.0-test');
  });

  it('exits 2 on an unknown command or option, with the reason on stderr', async () => {
    const unknown = await cli(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command/);
    const badOption = await cli(['config', 'show', '--nope']);
    assert.equal(badOption.code, 2);
    const badFormat = await cli(['config', 'show', '--format', 'xml']);
    assert.equal(badFormat.code, 2);
  });

  it('writes JSON alone on stdout and acts on --cwd', async () => {
    const dir = await tempDir();
    const result = await cli(['config', 'show', '--format', 'json', '--cwd', dir], { env: { CMPM_ENVIRONMENT: 'testing' } });
    assert.equal(result.code, 0, result.stderr);
    const parsed = JSON.parse(result.stdout);
    assert.equal(parsed.config.environment, 'testing');
    assert.equal(parsed.config.workspaceRoot, dir);
  });

  it('logs at the workspace\'s logging.level once its config is read; --verbose still shows debug lines', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, '.claude-pm'));
    await writeFile(join(dir, '.claude-pm', 'config.json'), JSON.stringify({ logging: { level: 'ERROR' } }));
    const speak: CliCommand = {
      path: ['speak'],
      summary: 'logs one line per level',
      run: async (ctx) => {
        await ctx.config();
        ctx.logger.debug('a debug line');
        ctx.logger.info('an info line');
        ctx.logger.error('an error line');
        return 0;
      },
    };
    const run = async (args: string[]) => {
      let stderr = '';
      await runCli(args, [speak], '0', { stdout: () => undefined, stderr: (t) => (stderr += t), env: {}, cwd: dir });
      return stderr;
    };
    assert.equal(await run(['speak']), 'error: an error line\n');
    assert.equal(await run(['speak', '--verbose']), 'debug: a debug line\nan info line\nerror: an error line\n');
  });
});

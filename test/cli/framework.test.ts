import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
});

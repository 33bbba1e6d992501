import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const nls = JSON.parse(readFileSync('package.nls.json', 'utf8'));

describe('manifest', () => {
  it('is in sync with contributions/*.json', () => {
    const result = spawnSync(process.execPath, ['scripts/manifest.mjs', '--check'], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
  });

  it('contributes the five views in the Claude PM container, each with a welcome view', () => {
    const views = pkg.contributes.views.claudePm.map((v: { id: string }) => v.id);
    assert.deepEqual(views, ['claudePm.agents', 'claudePm.runs', 'claudePm.tickets', 'claudePm.memory', 'claudePm.health']);
    const welcomed = new Set(pkg.contributes.viewsWelcome.map((w: { view: string }) => w.view));
    for (const view of views) assert.ok(welcomed.has(view), `${view} has no welcome view`);
  });

  it('puts every command in the Claude PM category with a localised title', () => {
    for (const command of pkg.contributes.commands) {
      assert.equal(command.category, '%category%', command.command);
      assert.match(command.title, /^%.+%$/, command.command);
      assert.ok(command.title.slice(1, -1) in nls, `${command.command}: missing nls ${command.title}`);
    }
  });

  it('never activates on *, and gives every setting an explicit scope', () => {
    assert.ok(!pkg.activationEvents.includes('*'));
    for (const section of pkg.contributes.configuration) {
      for (const [key, spec] of Object.entries(section.properties as Record<string, { scope?: string }>)) {
        assert.ok(key.startsWith('claudePm.'), key);
        assert.ok(spec.scope, `${key} has no scope`);
      }
    }
  });

  it('declares limited untrusted-workspace support and a CLI bin', () => {
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.ok(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations.includes('claudePm.agents.claudePath'));
    assert.equal(pkg.bin['claude-pm'], './dist/cli.js');
  });
});

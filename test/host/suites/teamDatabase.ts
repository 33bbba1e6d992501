import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { withDatabase } from '../../../src/core/database/connection';
import { schemaState, schemaStatus } from '../../../src/core/database/migrations';
import { eventually, runSuite, test, ui } from '../harness';
import { activateExtension, fileContains, path, rows, tabLabels } from '../editor';

// The folder remembers in a team database (memory_service.backend "postgres") of a new cluster, so its schema is
// behind: CLAUDE_PM_DATABASE_URL names the first database, the suite stores the second with Set Database URL.
const first = process.env.CLAUDE_PM_DATABASE_URL!;
const second = process.env.CLAUDE_PM_HOST_SECOND_DATABASE_URL!;
const state = (url: string) => withDatabase(url, async (pool) => schemaState(await schemaStatus(pool)));
const BEHIND = /^The team database schema is behind \(version 0, needs \d+\)\. Migrate now\?$/;

export async function run(): Promise<void> {
  ui.install();
  const api = await activateExtension();

  test('using memory offers to migrate the behind schema; Not now leaves the database as it is', async () => {
    assert.equal(await state(first), 'behind');
    ui.choose('Not now');
    await rows(api, 'claudePm.memory', 1).catch(() => []);
    const offer = await eventually(() => ui.messages.find((m) => BEHIND.test(m.text)), 'the migration offer');
    assert.equal(offer.level, 'warning');
    assert.equal(await state(first), 'behind');
  });

  test('Set Database URL stores another database; its memory offers again, and Show Status then Migrate migrates it, and only it', async () => {
    ui.answer(second);
    await vscode.commands.executeCommand('claudePm.security.setDatabaseUrl');
    await fileContains(path('.claude-pm', 'logs', 'audit.log'), 'set database URL');
    assert.ok(ui.texts().some((t) => t.startsWith('The team database URL is stored (postgres@127.0.0.1:') && t.includes('/team_two)')), ui.texts().join(' | '));
    ui.choose('Show Status', 'Migrate');
    // A change of the folder's config starts a new session, whose memory connects with the stored URL.
    const config = path('.claude-pm', 'config.json');
    writeFileSync(config, `${readFileSync(config, 'utf8').trimEnd()}\n\n`);
    const done = await eventually(async () => {
      await rows(api, 'claudePm.memory', 1).catch(() => []);
      return ui.texts().find((t) => /^The team database schema is now at version \d+\.$/.test(t));
    }, 'the migration of the second database', 45_000);
    assert.equal(ui.messages.filter((m) => BEHIND.test(m.text)).length, 1, ui.texts().join(' | '));
    assert.ok(ui.texts().some((t) => /^Apply the pending migrations to postgres@127\.0\.0\.1:\d+\/team_two now\?$/.test(t)), ui.texts().join(' | '));
    await eventually(() => tabLabels().some((l) => /team_two schema/.test(l)), 'the schema status preview');
    assert.match(done, /version \d+/);
    assert.equal(await state(second), 'current');
    // The first database was declined: no new session offers it again, nor migrates it.
    assert.equal(await state(first), 'behind');
  });

  test('an audited command of the editor reaches the team database\'s audit trail', async () => {
    // Set Database URL is audited; its event (and the one queued while team_two's schema was behind) reaches the trail.
    ui.answer(second);
    await vscode.commands.executeCommand('claudePm.security.setDatabaseUrl');
    const actions = await eventually(async () => {
      const found = await withDatabase(second, async (pool) => (await pool.query<{ action: string }>('SELECT action FROM claude_pm_audit ORDER BY seq')).rows.map((r) => r.action));
      return found.length >= 2 ? found : undefined;
    }, 'the audit rows in the team database', 30_000);
    assert.deepEqual(actions, ['set database URL', 'set database URL']);
  });

  test('a schema a newer client migrated is reported once, with what to do, and nothing is offered', async () => {
    const third = second.replace(/\/team_two$/, '/team_three');
    await withDatabase(first, (pool) => pool.query('CREATE DATABASE team_three'));
    ui.answer(third);
    await vscode.commands.executeCommand('claudePm.security.setDatabaseUrl');
    await withDatabase(third, async (pool) => {
      await pool.query("CREATE TABLE claude_pm_schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(), applied_by text NOT NULL DEFAULT session_user)");
      await pool.query("INSERT INTO claude_pm_schema_migrations (version, name) VALUES (9999, 'from a newer client')");
    });
    const config = path('.claude-pm', 'config.json');
    writeFileSync(config, `${readFileSync(config, 'utf8').trimEnd()}\n\n\n`);
    const warning = await eventually(async () => {
      await rows(api, 'claudePm.memory', 1).catch(() => []);
      return ui.messages.find((m) => /^The team database schema \(version 9999\) is newer than this version of Claude PM knows \(\d+\)\. Update the extension/.test(m.text));
    }, 'the newer-schema warning', 45_000);
    assert.equal(warning.level, 'warning');
    assert.ok(!ui.messages.some((m) => BEHIND.test(m.text)), ui.texts().join(' | '));
  });

  await runSuite('team database', api.activationMs);
}

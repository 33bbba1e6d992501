import type pg from 'pg';
import { inTransaction } from './connection';
import { LATEST_VERSION, MIGRATIONS, type Migration } from './schema';

/** Serialises migrations from every client of the database: editors, CLIs and CI offering to migrate at once. */
const MIGRATION_LOCK = 'claude_pm_migrations';

const CREATE_VERSIONS = `CREATE TABLE IF NOT EXISTS claude_pm_schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  applied_by text NOT NULL DEFAULT session_user
)`;

export interface SchemaStatus {
  current: number;
  latest: number;
  /** Migrations not applied yet, oldest first. */
  pending: { version: number; name: string }[];
  /** The database is newer than this client knows: upgrade the extension or CLI. */
  ahead: boolean;
}

/** Where the database stands against this client: `behind` needs `migrate`, `ahead` needs a newer client. */
export type SchemaState = 'behind' | 'current' | 'ahead';

export function schemaState(status: SchemaStatus): SchemaState {
  if (status.ahead) return 'ahead';
  return status.pending.length ? 'behind' : 'current';
}

/** Reads the applied version without changing anything (a viewer may call it). */
export async function schemaStatus(pool: pg.Pool): Promise<SchemaStatus> {
  const exists = await pool.query<{ exists: boolean }>("SELECT to_regclass('claude_pm_schema_migrations') IS NOT NULL AS exists");
  const current = exists.rows[0]?.exists ? Number((await pool.query<{ v: number | null }>('SELECT max(version) AS v FROM claude_pm_schema_migrations')).rows[0]?.v ?? 0) : 0;
  return describe(current);
}

function describe(current: number): SchemaStatus {
  const pending = MIGRATIONS.filter((m) => m.version > current).map(({ version, name }) => ({ version, name }));
  return { current, latest: LATEST_VERSION, pending, ahead: current > LATEST_VERSION };
}

/**
 * Applies every pending migration in one transaction under an advisory lock, so concurrent callers wait and then
 * find nothing left to do, and a failing migration leaves the schema exactly as it was.
 */
export async function migrate(pool: pg.Pool, migrations: readonly Migration[] = MIGRATIONS): Promise<{ applied: number[]; status: SchemaStatus }> {
  const { done, applied } = await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [MIGRATION_LOCK]);
    await client.query(CREATE_VERSIONS);
    const done = new Set((await client.query<{ version: number }>('SELECT version FROM claude_pm_schema_migrations')).rows.map((r) => r.version));
    const applied: number[] = [];
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      try {
        await client.query(migration.sql);
      } catch (error) {
        throw new Error(`migration ${migration.version} (${migration.name}) failed, nothing was changed: ${(error as Error).message}`, { cause: error });
      }
      await client.query('INSERT INTO claude_pm_schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      applied.push(migration.version);
    }
    return { done, applied };
  });
  return { applied, status: describe(Math.max(0, ...done, ...applied)) };
}

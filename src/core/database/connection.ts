import { readFileSync } from 'node:fs';
import pg from 'pg';
import { redact } from '../common/redact';

/** The only environment variable the team database URL is read from; the editor keeps it in secret storage. */
export const DATABASE_URL_ENV = 'CLAUDE_PM_DATABASE_URL';

export class DatabaseConfigError extends Error {}

/** The connection string: from secret storage (editor) or the environment (CLI), never from settings or config files. */
export function databaseUrlFrom(env: NodeJS.ProcessEnv, secret?: string): string | undefined {
  const url = secret?.trim() || env[DATABASE_URL_ENV]?.trim();
  return url ? url : undefined;
}

type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';
const SSL_MODES: readonly SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

/**
 * Pool settings from a `postgres://` URL with libpq's `sslmode` meaning: `require` encrypts without checking the
 * certificate, `verify-ca` checks the chain (`sslrootcert`), `verify-full` also the host name. node-postgres cannot
 * fall back from TLS to plain, so `allow` and `prefer` connect without TLS; say `require` to insist on it.
 */
export function poolConfig(url: string, extra: pg.PoolConfig = {}): pg.PoolConfig {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DatabaseConfigError(`${DATABASE_URL_ENV} is not a URL (${redact(url)}); expected postgres://USER:PASSWORD@HOST:PORT/DATABASE`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new DatabaseConfigError(`the database URL must start with postgres:// or postgresql://, not ${parsed.protocol}//`);
  }
  const mode = (parsed.searchParams.get('sslmode') ?? 'prefer') as SslMode;
  if (!SSL_MODES.includes(mode)) throw new DatabaseConfigError(`sslmode must be one of ${SSL_MODES.join(', ')}, not '${mode}'`);
  const rootCert = parsed.searchParams.get('sslrootcert');
  for (const key of ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'ssl']) parsed.searchParams.delete(key);
  let ssl: pg.PoolConfig['ssl'] = false;
  if (mode === 'require') ssl = { rejectUnauthorized: false };
  if (mode === 'verify-ca' || mode === 'verify-full') {
    ssl = {
      rejectUnauthorized: true,
      ...(rootCert ? { ca: readFileSync(rootCert, 'utf8') } : {}),
      // verify-ca trusts any host name the chain vouches for.
      ...(mode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
    };
  }
  return { connectionString: parsed.toString(), ssl, connectionTimeoutMillis: 5000, ...extra };
}

/** A pool whose errors never carry the password; idle-client errors (server restarts) are reported, not thrown. */
export function createPool(
  url: string,
  options: { max?: number; onError?: (message: string) => void; applicationName?: string; settings?: Record<string, string> } = {},
): pg.Pool {
  // Settings travel in the startup packet (`-c name=value`), so every connection has them before its first query.
  const settings = Object.entries(options.settings ?? {}).map(([name, value]) => `-c ${name}=${value}`);
  const pool = new pg.Pool(poolConfig(url, { max: options.max ?? 4, application_name: options.applicationName ?? 'claude-pm', ...(settings.length ? { options: settings.join(' ') } : {}) }));
  pool.on('error', (error) => options.onError?.(describeDatabaseError(error)));
  return pool;
}

/** Node and PostgreSQL error codes that mean "the server cannot be reached now", as opposed to a refused statement. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006']);

/** True when `error` means the database is unreachable, so a write can wait in the outbox. */
export function isUnreachable(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  if (code && UNREACHABLE.has(code)) return true;
  const message = String((error as Error | undefined)?.message ?? '');
  return /Connection terminated|connection timeout|timeout expired|Client has encountered a connection error|the database system is (starting up|shutting down|in recovery mode)/i.test(message);
}

/** One line for logs and errors: the server's message and SQLSTATE, with any credentials masked. */
export function describeDatabaseError(error: unknown): string {
  const e = error as { message?: string; code?: string };
  return redact(`${e.message ?? String(error)}${e.code && /^[0-9A-Z]{5}$/.test(e.code) ? ` (SQLSTATE ${e.code})` : ''}`);
}

/** The URL as it may be shown: host, port and database, never the password. */
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.username ? `${decodeURIComponent(parsed.username)}@` : ''}${parsed.host}${parsed.pathname}`;
  } catch {
    return redact(url);
  }
}

/**
 * Runs `action` on one pooled connection inside BEGIN … COMMIT; any error rolls the transaction back and is
 * rethrown, and the connection always goes back to the pool.
 */
export async function inTransaction<T>(pool: pg.Pool, action: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await action(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Runs `action` on a one-connection pool to `url` and closes it; a failure is rethrown as one line naming the
 * database (never the password), the original kept as its cause. For short jobs: status, migrate, grant.
 */
export async function withDatabase<T>(url: string, action: (pool: pg.Pool) => Promise<T>, onError?: (message: string) => void): Promise<T> {
  const pool = createPool(url, { max: 1, ...(onError ? { onError } : {}) });
  try {
    return await action(pool);
  } catch (error) {
    throw new Error(`${describeDatabaseUrl(url)}: ${describeDatabaseError(error)}`, { cause: error });
  } finally {
    await pool.end().catch(() => undefined);
  }
}

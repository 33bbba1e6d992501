import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type pg from 'pg';
import { grantTeamRole } from '../../src/core/database/roles';
import type { TeamRole } from '../../src/core/database/schema';
import { freePort } from './freePort';

const run = promisify(execFile);

/** Debian's server binaries (`apt-get install postgresql`), newest version first. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
}

/**
 * A throwaway PostgreSQL cluster in a temp folder on a free 127.0.0.1 port. The server refuses to run as root, so
 * as root it runs as the `postgres` system user the Debian package creates. Trust authentication is for these
 * clusters only; role tests connect as LOGIN roles with passwords they create.
 */
export class PostgresCluster {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly bin: string,
    private readonly durable: boolean,
  ) {}

  /** `postgres://postgres@127.0.0.1:PORT/postgres`, or as `user` with `password`. */
  url(user = 'postgres', password?: string, database = 'postgres'): string {
    return `postgres://${encodeURIComponent(user)}${password ? `:${encodeURIComponent(password)}` : ''}@127.0.0.1:${this.port}/${database}`;
  }

  /**
   * Creates the login `name` (password `pw-<name>`) holding one of the framework's team roles, through `admin` (a
   * superuser pool of a migrated database: roles are cluster-wide); resolves with its URL to the `postgres` database.
   */
  async addTeamLogin(admin: pg.Pool, name: string, role: TeamRole): Promise<string> {
    await admin.query(`CREATE ROLE ${name} LOGIN PASSWORD 'pw-${name}'`);
    await grantTeamRole(admin, name, role);
    return this.url(name, `pw-${name}`);
  }

  /** `durable` keeps fsync on, as a benchmark of a real server needs. */
  static async start(options: { durable?: boolean } = {}): Promise<PostgresCluster> {
    const bin = postgresBinDir();
    if (!bin) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql: apt-get install postgresql');
    const dir = await mkdtemp(join(tmpdir(), 'claude-pm-pg-'));
    if (process.getuid?.() === 0) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      await chown(dir, Number(stdout.trim()), -1);
    }
    await chmod(dir, 0o700);
    const cluster = new PostgresCluster(dir, await freePort(), bin, options.durable ?? false);
    await cluster.asServerUser('initdb', ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale', 'C']);
    await cluster.startServer();
    return cluster;
  }

  /**
   * fsync is off unless `durable`: the tests crash the server process (`-m immediate`), after which the kernel still holds every WAL
   * write a commit waited for, so acknowledged writes survive as on a production server; only a machine crash
   * would need the flush, and skipping it keeps 40,000-commit tests quick on a shared CI machine.
   */
  async startServer(): Promise<void> {
    const flush = this.durable ? '' : ' -c fsync=off -c full_page_writes=off';
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c max_connections=60 -c shared_buffers=128MB -c maintenance_work_mem=256MB${flush}`;
    await this.asServerUser('pg_ctl', ['-D', join(this.dir, 'data'), '-o', options, '-l', join(this.dir, 'log'), '-w', '-t', '60', 'start']);
  }

  /** `immediate` is the crash stop: like `kill -9` of the postmaster, nothing is flushed or checkpointed. */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.asServerUser('pg_ctl', ['-D', join(this.dir, 'data'), '-m', mode, '-w', 'stop']);
  }

  async destroy(): Promise<void> {
    await this.stop('immediate').catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }

  private async asServerUser(tool: string, args: string[]): Promise<void> {
    const path = join(this.bin, tool);
    if (process.getuid?.() === 0) await run('runuser', ['-u', 'postgres', '--', path, ...args], { timeout: 120_000 });
    else await run(path, args, { timeout: 120_000 });
  }
}

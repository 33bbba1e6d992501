// The fixture workspaces of the in-editor suites, built from the demo project in a temporary folder.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { startMem0Server } from '../helpers/mem0Server';
import { PostgresCluster } from '../helpers/postgresCluster';

export const SUITES = ['singleFolder', 'multiRoot', 'untrusted', 'teamDatabase'] as const;
export type SuiteName = (typeof SUITES)[number];

/** The key the multi-root suite's mem0 server accepts; the editor finds it in MEM0AI_API_KEY. */
export const MEM0_TEST_KEY = 'host-suite-key-5Jq8Lr2Wx7Zp4Nc9Vb3Hd6Tf1Gk0Ms';
export const ACTOR = 'host-tests@example.com';

export interface PreparedWorkspace {
  /** The folder, or the `.code-workspace` file of a multi-root workspace. */
  folder: string;
  trusted: boolean;
  /** Extra environment of the editor (and so of the extension host). */
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

function demoCopy(target: string, config?: unknown, policy?: unknown): string {
  cpSync('demo', target, { recursive: true });
  if (config) writeFileSync(join(target, '.claude-pm', 'config.json'), JSON.stringify(config, null, 2));
  if (policy) writeFileSync(join(target, '.claude-pm', 'policy.json'), JSON.stringify(policy, null, 2));
  for (const args of [['init', '-q', '-b', 'main'], ['config', 'user.email', ACTOR], ['config', 'user.name', 'Host Tests']]) spawnSync('git', args, { cwd: target });
  return target;
}

export async function prepareWorkspace(suite: SuiteName, dir: string): Promise<PreparedWorkspace> {
  mkdirSync(dir, { recursive: true });
  const none = async () => undefined;
  if (suite === 'singleFolder') return { folder: demoCopy(join(dir, 'demo')), trusted: true, env: {}, close: none };
  if (suite === 'untrusted') return { folder: demoCopy(join(dir, 'untrusted')), trusted: false, env: {}, close: none };
  if (suite === 'teamDatabase') {
    // A new cluster: its schema is behind until someone migrates it. The first database comes from the
    // environment, as the CLI reads it; the second is stored in the editor by the suite.
    const cluster = await PostgresCluster.start();
    const admin = new pg.Client({ connectionString: cluster.url() });
    try {
      await admin.connect();
      await admin.query('CREATE DATABASE team_two');
    } catch (error) {
      await cluster.destroy();
      throw error;
    } finally {
      await admin.end().catch(() => undefined);
    }
    return {
      folder: demoCopy(join(dir, 'team'), { environment: 'development', memory_service: { backend: 'postgres' } }),
      trusted: true,
      // The second database is the one the suite stores with Set Database URL.
      env: { CLAUDE_PM_DATABASE_URL: cluster.url(), CLAUDE_PM_HOST_SECOND_DATABASE_URL: cluster.url('postgres', undefined, 'team_two') },
      close: () => cluster.destroy(),
    };
  }
  // Two folders that differ in what matters for "which folder": alpha lets its user only read (viewer) and keeps
  // memory embedded; beta has no policy (everyone is admin) and remembers in a mem0 server.
  const mem0 = await startMem0Server('mem0', MEM0_TEST_KEY);
  const demoConfig = { environment: 'development', agents: { runner: 'command', commands: { qa: 'echo qa from $CLAUDE_PM_STEP' } } };
  demoCopy(join(dir, 'alpha'), { ...demoConfig, memory_service: { backend: 'embedded' } }, { default_role: 'viewer' });
  demoCopy(join(dir, 'beta'), { ...demoConfig, memory_service: { backend: 'mem0', url: mem0.url } });
  const workspaceFile = join(dir, 'host.code-workspace');
  writeFileSync(workspaceFile, JSON.stringify({ folders: [{ path: 'alpha' }, { path: 'beta' }], settings: {} }, null, 2));
  return { folder: workspaceFile, trusted: true, env: { MEM0AI_API_KEY: MEM0_TEST_KEY }, close: () => mem0.close() };
}

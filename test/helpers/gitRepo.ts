import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from './tempDir';

/** Runs git in `cwd` with a fixed identity and no user or system config, returning its trimmed output. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'init.defaultBranch=main', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
  }).trim();
}

/** A fresh repository on `main` with `files` committed. */
export async function gitRepo(files: Record<string, string> = { 'README.md': '# demo\n' }): Promise<string> {
  const root = join(await tempDir('claude-pm-git-'), 'repo');
  await mkdir(root);
  git(root, 'init', '--quiet');
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(root, name, '..'), { recursive: true });
    await writeFile(join(root, name), content);
  }
  git(root, 'add', '--all');
  git(root, 'commit', '--quiet', '-m', 'initial');
  return root;
}

import { cp } from 'node:fs/promises';
import { resolve } from 'node:path';
import { simpleGit } from 'simple-git';
import { tempDir } from './tempDir';

/** A copy of demo/ committed to a fresh git repository: a workspace `claude-pm health` finds healthy. */
export async function demoWorkspace(): Promise<string> {
  const root = await tempDir('claude-pm-demo-');
  await cp(resolve('demo'), root, { recursive: true });
  const git = simpleGit(root);
  await git.init();
  await git.add('.');
  await git.addConfig('user.email', 'ci@example.com').addConfig('user.name', 'CI');
  await git.commit('demo');
  return root;
}

import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isInside, realpathNearest } from '../common/containedPath';
import { userConfigDir } from '../common/userConfigDir';
import { CONFIG_DIR, CONFIG_FILE } from '../config/loadConfig';
import { AUDIT_LOG_PATH } from './auditLog';
import { POLICY_PATH } from './policy';

// Output files named on the command line (`health -o`, `monitor -o`, `memory export`, `deploy --output`) may go
// anywhere the user chooses, except over what guards the workspace: a report written over the policy would
// grant everyone everything, one over the audit trail or its key would erase the evidence.

/** Refuses an output path that would replace the policy, the config, the audit trail, the memory store or the audit keys. */
export async function assertOutputAllowed(path: string, workspaceRoot: string, env: NodeJS.ProcessEnv): Promise<void> {
  const real = await realpathNearest(path);
  const inWorkspace = async (relative: string) => realpathNearest(join(workspaceRoot, relative));
  const auditLog = await inWorkspace(AUDIT_LOG_PATH);
  const refuse = (what: string) => {
    throw new Error(`refusing to write ${path}: it is ${what}. Choose another output file.`);
  };
  if (real === (await inWorkspace(POLICY_PATH))) refuse('the team policy');
  if (real === (await inWorkspace(join(CONFIG_DIR, CONFIG_FILE)))) refuse('the workspace configuration');
  if (dirname(real) === dirname(auditLog) && basename(real).startsWith(basename(auditLog))) refuse('part of the audit trail');
  if (isInside(await inWorkspace(join(CONFIG_DIR, 'memory')), real)) refuse('inside the memory store');
  if (isInside(await realpathNearest(userConfigDir(env)), real)) refuse("inside Claude PM's key folder");
  if (await stat(real).then((s) => s.isDirectory(), () => false)) refuse('a folder');
}

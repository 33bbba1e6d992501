import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gitClient } from '../common/processGate';
import type { ComplianceCheck, ComplianceItem } from '../common/compliance';
import { CONFIG_DIR, CONFIG_FILE } from '../config/loadConfig';
import { AUDIT_LOG_PATH, verifyAuditLog } from './auditLog';
import { loadPolicy, POLICY_PATH } from './policy';
import { describeVerification } from './reportMarkdown';
import { redact } from '../common/redact';

/** The security part of framework compliance: a usable policy, an intact audit chain, no keys in files. */
export const securityCompliance: ComplianceCheck = async (projectRoot) => Promise.all([policyItem(projectRoot), auditItem(projectRoot), configSecretsItem(projectRoot), envFileItem(projectRoot)]);

async function policyItem(root: string): Promise<ComplianceItem> {
  const base = { id: 'security.policy', title: 'Team policy is valid', severity: 'error' as const };
  try {
    const policy = await loadPolicy(root);
    return { ...base, passed: true, detail: policy ? `${POLICY_PATH}: default role ${policy.default_role}` : `no ${POLICY_PATH}: everyone is admin` };
  } catch (error) {
    return { ...base, passed: false, detail: (error as Error).message, fixHint: `Fix ${POLICY_PATH}: every role must be admin, developer, viewer or defined under "roles".` };
  }
}

async function auditItem(root: string): Promise<ComplianceItem> {
  const result = await verifyAuditLog(join(root, AUDIT_LOG_PATH));
  return {
    id: 'security.audit-chain',
    title: 'Audit log is intact',
    severity: 'error',
    passed: result.ok,
    detail: `${AUDIT_LOG_PATH}: ${describeVerification(result)}`,
    ...(result.ok ? {} : { fixHint: 'Audit entries were edited, removed or deleted: keep the files for investigation, then move them aside to start a new trail.', fixCommand: 'claudePm.security.verifyAuditLog' }),
  };
}

// A key pasted into config.json would be committed with it; redaction changing the text means one is there.
async function configSecretsItem(root: string): Promise<ComplianceItem> {
  const text = await readFile(join(root, CONFIG_DIR, CONFIG_FILE), 'utf8').catch(() => '');
  const clean = redact(text) === text;
  return {
    id: 'security.no-keys-in-config',
    title: 'No API keys in .claude-pm/config.json',
    severity: 'error',
    passed: clean,
    detail: clean ? 'no secret-looking values' : 'the file contains a value that looks like an API key or token',
    ...(clean ? {} : { fixHint: 'Remove the key from the file; store it with "Set API Key" or in an environment variable.', fixCommand: 'claudePm.security.setApiKey' }),
  };
}

async function envFileItem(root: string): Promise<ComplianceItem> {
  const base = { id: 'security.env-ignored', title: '.env is not committed', severity: 'warning' as const };
  const exists = await access(join(root, '.env')).then(
    () => true,
    () => false,
  );
  if (!exists) return { ...base, passed: true, detail: 'no .env file' };
  try {
    const git = gitClient({ baseDir: root });
    if (!(await git.checkIsRepo())) return { ...base, passed: true, detail: 'not a git repository' };
    const ignored = (await git.checkIgnore('.env')).length > 0;
    return ignored ? { ...base, passed: true, detail: '.env is ignored by git' } : { ...base, passed: false, detail: '.env holds keys and is not in .gitignore', fixHint: 'Add .env to .gitignore.' };
  } catch (error) {
    return { ...base, passed: true, detail: `git could not be asked (${(error as Error).message})` };
  }
}

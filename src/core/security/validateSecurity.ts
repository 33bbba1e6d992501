import { join } from 'node:path';
import type { ResolvedConfig } from '../config/loadConfig';
import { isMem0Backend } from '../config/schema';
import { transportProblems, validateApiKey } from './apiKeys';
import { AUDIT_LOG_PATH, verifyAuditLog } from './auditLog';
import { loadPolicy, POLICY_PATH } from './policy';
import { describeVerification } from './reportMarkdown';
import { memoryServiceUrl } from './testAuth';
import { redact } from '../common/redact';

// `security validate`: the framework's checklist for the configured environment, as a list of findings.

export type FindingStatus = 'pass' | 'warn' | 'fail';

export interface SecurityFinding {
  id: 'api-key' | 'transport' | 'policy' | 'audit-log';
  status: FindingStatus;
  message: string;
}

export interface SecurityReport {
  environment: ResolvedConfig['environment'];
  backend: ResolvedConfig['memory']['backend'];
  ok: boolean;
  findings: SecurityFinding[];
}

/** Where each memory backend's key lives: the environment in the CLI, SecretStorage in the extension. */
export const KEY_ENV_VARIABLES = { mem0: 'MEM0AI_API_KEY', 'mem0-platform': 'MEM0_API_KEY' } as const;

/** Checks keys, transport, policy and audit chain; `apiKey` is the key of the configured backend, if any. */
export async function validateSecurity(config: ResolvedConfig, apiKey: string | undefined, env: NodeJS.ProcessEnv): Promise<SecurityReport> {
  const { environment } = config;
  const backend = config.memory.backend;
  const findings: SecurityFinding[] = [];
  const url = memoryServiceUrl(config, env);
  const useTls = url.startsWith('https:');

  if (backend === 'embedded') {
    findings.push({ id: 'api-key', status: 'pass', message: 'the embedded memory store needs no API key' });
  } else if (!isMem0Backend(backend)) {
    findings.push({ id: 'api-key', status: 'pass', message: 'the team database needs no API key: its users sign in with their own database credentials' });
  } else if (!apiKey) {
    findings.push({ id: 'api-key', status: 'fail', message: `no API key for the ${backend} memory service (set ${KEY_ENV_VARIABLES[backend]}, or use "Set API Key" in the editor)` });
  } else {
    const { problems } = validateApiKey(apiKey, { environment });
    findings.push(problems.length ? { id: 'api-key', status: 'fail', message: problems.join('; ') } : { id: 'api-key', status: 'pass', message: `the ${backend} API key meets the ${environment} rules` });
  }

  if (isMem0Backend(backend)) {
    const transport = transportProblems({ environment, useTls, verifyTls: config.memory.verifyTls });
    if (transport.length) findings.push({ id: 'transport', status: 'fail', message: transport.join('; ') });
    else if (!useTls) findings.push({ id: 'transport', status: 'warn', message: `${redact(url)} is plain HTTP: acceptable for a local ${environment} service, required to be https in production` });
    else findings.push({ id: 'transport', status: 'pass', message: `TLS${config.memory.verifyTls ? ' with certificate verification' : ' without certificate verification'}` });
  }

  try {
    const policy = await loadPolicy(config.workspaceRoot);
    findings.push(
      policy
        ? { id: 'policy', status: 'pass', message: `${POLICY_PATH}: default role ${policy.default_role}, ${Object.keys(policy.users).length} user(s) assigned` }
        : { id: 'policy', status: environment === 'production' ? 'warn' : 'pass', message: `no ${POLICY_PATH}: everyone has every permission` },
    );
  } catch (error) {
    findings.push({ id: 'policy', status: 'fail', message: (error as Error).message });
  }

  const audit = await verifyAuditLog(join(config.workspaceRoot, AUDIT_LOG_PATH), { env });
  findings.push({ id: 'audit-log', status: audit.ok ? 'pass' : 'fail', message: `${AUDIT_LOG_PATH}: ${describeVerification(audit)}` });

  return { environment, backend, ok: findings.every((f) => f.status !== 'fail'), findings };
}

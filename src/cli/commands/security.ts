import { lazyCommands } from '../lazyCommands';

/** `claude-pm security …` and `claude-pm audit verify`: keys, checks and the audit chain. Declarations only: the handlers in ../handlers/security load when one of these commands runs. */
export const securityCommands = lazyCommands(() => import('../handlers/security').then((m) => m.securityHandlers), {
  securityGenerateKey: {
    path: ['security', 'generate-key'],
    summary: 'Print a new 64-character API key for the memory service (nothing is stored)',
  },
  securityValidate: {
    path: ['security', 'validate'],
    summary: 'Check the API key, TLS, the team policy and the audit chain for an environment',
    options: { environment: { type: 'string' } },
  },
  securityTestAuth: {
    path: ['security', 'test-auth'],
    summary: 'Authenticate once against the configured mem0 service with the key from the environment',
  },
  securityWhoami: {
    path: ['security', 'whoami'],
    summary: 'Show the acting user (git user.email or CLAUDE_PM_ACTOR), their role and permissions',
  },
  securityAssignRole: {
    path: ['security', 'assign-role'],
    summary: 'Give a user (git user.email) a role in .claude-pm/policy.json; creating the file makes you admin',
    args: 'EMAIL ROLE',
    permission: 'system.configure',
  },
  auditVerify: {
    path: ['audit', 'verify'],
    summary: 'Check the audit trail (rotated files and the current log) against its key and anchor and name the first problem; --database checks the team database\'s audit trail',
    options: { file: { type: 'string' }, database: { type: 'boolean' } },
  },
  auditRotateKey: {
    path: ['audit', 'rotate-key'],
    summary: 'Check the audit trail, then seal new entries with a new key (old keys stay to verify the history)',
    permission: 'system.configure',
  },
});

import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { assertNoErrors } from '../../core/config/diagnostics';
import { loadConfig } from '../../core/config/loadConfig';
import { environmentSchema, isMem0Backend } from '../../core/config/schema';
import { TeamAuditTrail, type TeamAuditVerification } from '../../core/database/audit';
import { databaseUrlFrom, describeDatabaseUrl } from '../../core/database/connection';
import { generateApiKey, maskKey } from '../../core/security/apiKeys';
import { AUDIT_LOG_PATH, AuditLog, verifyAuditLog } from '../../core/security/auditLog';
import { AuthLockout, lockoutOptionsFromEnv, lockoutStateFile } from '../../core/security/lockout';
import { describeAccess, POLICY_PATH, resolveActor } from '../../core/security/policy';
import { assignRole } from '../../core/security/policyEdit';
import { describeVerification } from '../../core/security/reportMarkdown';
import { memoryServiceUrl, testAuthentication } from '../../core/security/testAuth';
import { KEY_ENV_VARIABLES, validateSecurity } from '../../core/security/validateSecurity';
import { requireArg, UsageError, type CliContext, type CliHandlers } from '../framework';
import { checkKeyOrigin } from '../../core/security/keyOrigin';
import { withTeamDatabase } from './database';
import { countOf } from '../../core/common/plural';

/** The team database's append-only audit table, checked row by row against the user's audit keys and anchor. */
async function verifyTeamAuditTrail(ctx: CliContext): Promise<{ result: TeamAuditVerification & { database: string }; text: string }> {
  return withTeamDatabase(ctx, async (pool, url) => {
    const result = await new TeamAuditTrail(pool, url, { env: ctx.env }).verify();
    const where = describeDatabaseUrl(url);
    return { result: { database: where, ...result }, text: result.ok ? `${where}: ${countOf(result.rows, 'audit row')}, chain intact` : `${where}: audit row ${result.firstBrokenSeq}: ${result.reason}` };
  });
}

export const securityHandlers = {
  securityGenerateKey: async (ctx) => {
    const key = generateApiKey();
    ctx.print({ key, length: key.length }, () =>
      [key, '', `Store it in a secret manager, then set ${KEY_ENV_VARIABLES.mem0}=<key> for the CLI, or use "Claude PM: Set API Key" in the editor.`].join('\n'),
    );
    return 0;
  },
  securityValidate: async (ctx, values) => {
    const requested = values.environment === undefined ? undefined : environmentSchema.safeParse(values.environment);
    if (requested && !requested.success) throw new UsageError(`--environment must be development, testing or production, not '${String(values.environment)}'`);
    // An explicit --environment wins over CMPM_ENVIRONMENT.
    const env = requested ? { ...ctx.env, CMPM_ENVIRONMENT: undefined } : ctx.env;
    const { config, diagnostics } = await loadConfig(ctx.cwd, { environment: requested?.data }, env);
    assertNoErrors(diagnostics);
    const backend = config.memory.backend;
    const apiKey = isMem0Backend(backend) ? ctx.env[KEY_ENV_VARIABLES[backend]] : undefined;
    const report = await validateSecurity(config, apiKey, env);
    ctx.print(report, () =>
      [
        `security check for ${report.environment} (memory backend ${report.backend}${apiKey ? `, key ${maskKey(apiKey)}` : ''})`,
        ...report.findings.map((f) => `  ${f.status.padEnd(4)}  ${f.id}: ${f.message}`),
        report.ok ? 'result: ok' : 'result: problems found',
      ].join('\n'),
    );
    return report.ok ? 0 : 1;
  },
  securityTestAuth: async (ctx) => {
    const config = await ctx.config();
    const backend = config.memory.backend;
    if (!isMem0Backend(backend)) {
      const message = backend === 'postgres' ? 'the team database authenticates its users itself: check the connection with claude-pm db status' : 'the embedded memory store needs no authentication';
      ctx.print({ outcome: 'skipped', message }, message);
      return 0;
    }
    const apiKey = ctx.env[KEY_ENV_VARIABLES[backend]];
    if (!apiKey) throw new Error(`no API key: set ${KEY_ENV_VARIABLES[backend]} for the ${backend} memory service`);
    checkKeyOrigin(config, ctx.env);
    const audit = AuditLog.forWorkspace(ctx.cwd, { env: ctx.env });
    const actor = await resolveActor(ctx.cwd, ctx.env);
    const pending: Promise<unknown>[] = [];
    const lockout = new AuthLockout({ ...lockoutOptionsFromEnv(ctx.env), stateFile: lockoutStateFile(ctx.env), onEvent: (event) => pending.push(audit.append({ ...event, actor })) });
    const baseUrl = memoryServiceUrl(config, ctx.env);
    const result = await testAuthentication({ backend, baseUrl, apiKey, verifyTls: config.memory.verifyTls, timeoutMs: config.memory.timeoutMs, userId: config.memory.userId }, lockout);
    await Promise.all(pending);
    ctx.print({ ...result, key: maskKey(apiKey) }, `${result.outcome}: ${result.url} (key ${maskKey(apiKey)}): ${result.message}`);
    return result.outcome === 'authenticated' ? 0 : 1;
  },
  securityWhoami: async (ctx) => {
    const access = await describeAccess(ctx.cwd, ctx.env);
    ctx.print(access, () =>
      [`actor: ${access.actor}`, `role: ${access.role}${access.policyFile ? '' : ' (no .claude-pm/policy.json: everyone is admin)'}`, `permissions: ${access.permissions.join(', ')}`].join('\n'),
    );
    return 0;
  },
  securityAssignRole: async (ctx, _values, positionals) => {
    const email = requireArg(positionals, 0, 'EMAIL');
    const role = requireArg(positionals, 1, 'ROLE');
    const actor = await resolveActor(ctx.cwd, ctx.env);
    const { previous, created } = await assignRole(ctx.cwd, actor, email, role, AuditLog.forWorkspace(ctx.cwd, { env: ctx.env }));
    ctx.print({ email, role, previous: previous ?? null, created }, `${email}: ${previous ? `${previous} → ` : ''}${role}${created ? ` (new ${POLICY_PATH}; ${actor} is admin)` : ''}`);
    return 0;
  },
  auditVerify: async (ctx, values) => {
    if (values.database) {
      const team = await verifyTeamAuditTrail(ctx);
      ctx.print(team.result, team.text);
      return team.result.ok ? 0 : 1;
    }
    const file = typeof values.file === 'string' ? ctx.inputPath(values.file) : join(ctx.cwd, AUDIT_LOG_PATH);
    if (typeof values.file === 'string' && !(await stat(file).then((s) => s.isFile(), () => false))) throw new Error(`${file}: no such audit log file`);
    const result = await verifyAuditLog(file, { env: ctx.env });
    // With the team database as the backend, its trail is checked too (not for a log file named on the command line).
    const config = typeof values.file === 'string' ? undefined : await ctx.config().catch(() => undefined);
    const team = config?.memory.backend === 'postgres' && databaseUrlFrom(ctx.env) ? await verifyTeamAuditTrail(ctx) : undefined;
    ctx.print(team ? { ...result, database: team.result } : result, [`${file}: ${describeVerification(result)}`, ...(team ? [team.text] : [])].join('\n'));
    return result.ok && (team?.result.ok ?? true) ? 0 : 1;
  },
  auditRotateKey: async (ctx) => {
    const log = AuditLog.forWorkspace(ctx.cwd, { env: ctx.env });
    const { previous, current, verification } = await log.rotateKey(await resolveActor(ctx.cwd, ctx.env));
    ctx.print(
      { previous: previous ?? null, current, keyring: log.trust.where, verified: verification.lines },
      `${verification.lines} entries verified; new entries are sealed with key ${current}${previous ? ` (was ${previous})` : ''}, kept in ${log.trust.where}`,
    );
    return 0;
  },
} satisfies CliHandlers;


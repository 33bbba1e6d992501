import type { AuditVerification } from './auditLog';
import type { AccessSummary } from './policy';
import type { SecurityReport } from './validateSecurity';
import { markdownText } from '../common/markdownText';

const ICONS = { pass: '✅', warn: '⚠️', fail: '❌' } as const;

/** The Markdown document the extension opens for "Validate Security Configuration". */
export function securityReportMarkdown(report: SecurityReport, access: AccessSummary, keyShown: string | undefined): string {
  return [
    `# Claude PM security check`,
    '',
    `- Environment: **${markdownText(report.environment)}**`,
    `- Memory backend: **${markdownText(report.backend)}**${keyShown ? ` (key ${markdownText(keyShown)})` : ''}`,
    `- Acting as **${markdownText(access.actor)}**, role **${markdownText(access.role)}**${access.policyFile ? '' : ' (no `.claude-pm/policy.json`: everyone is admin)'}`,
    `- Result: **${report.ok ? 'ok' : 'problems found'}**`,
    '',
    '| | Check | Finding |',
    '|---|---|---|',
    ...report.findings.map((f) => `| ${ICONS[f.status]} | ${f.id} | ${markdownText(f.message)} |`),
    '',
    `Permissions: ${access.permissions.map((p) => `\`${p}\``).join(', ') || 'none'}`,
    '',
  ].join('\n');
}

/** One line for a verification result, as the CLI and the extension show it. */
export function describeVerification(result: AuditVerification): string {
  if (result.ok) return `${result.lines} entries, chain intact`;
  if (result.firstBrokenLine === undefined) return result.reason ?? 'cannot be verified';
  return `line ${result.firstBrokenLine}: ${result.reason}`;
}

import { basename } from 'node:path';
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
  if (result.empty) return 'no events recorded yet';
  if (result.ok) return `${result.lines} ${result.lines === 1 ? 'entry' : 'entries'}${(result.files?.length ?? 0) > 1 ? ` in ${result.files!.length} files` : ''}, chain intact`;
  const file = result.brokenFile && result.brokenFile !== result.file ? `${basename(result.brokenFile)} ` : '';
  const where = result.firstBrokenLine === undefined ? (file ? `${file.trim()}: ` : '') : `${file}line ${result.firstBrokenLine}: `;
  return `${where}${result.reason ?? 'cannot be verified'}`;
}

import { agentsCompliance } from '../agents/agentsHealth';
import type { ComplianceCheck } from '../common/compliance';
import { securityCompliance } from '../security/compliance';
import { claudeMdCompliance, createClaudeMdCompliance, type ClaudeMdComplianceOptions } from '../templates/compliance';
import { trackerCompliance } from '../tickets/compliance';

/** The compliance checks other features contribute; health adds its own `.claude-pm` layout check. */
export const FRAMEWORK_CHECKS: readonly ComplianceCheck[] = [claudeMdCompliance, trackerCompliance, agentsCompliance, securityCompliance];

/** The same checks, with the CLAUDE.md check reading the target an editor setting chose. */
export function frameworkChecks(claudeMd: ClaudeMdComplianceOptions): ComplianceCheck[] {
  return FRAMEWORK_CHECKS.map((check) => (check === claudeMdCompliance ? createClaudeMdCompliance(claudeMd) : check));
}

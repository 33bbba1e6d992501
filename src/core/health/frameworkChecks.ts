import { agentsCompliance } from '../agents/agentsHealth';
import type { ComplianceCheck } from '../common/compliance';
import { securityCompliance } from '../security/compliance';
import { claudeMdCompliance } from '../templates/compliance';
import { trackerCompliance } from '../tickets/compliance';

/** The compliance checks other features contribute; health adds its own `.claude-pm` layout check. */
export const FRAMEWORK_CHECKS: readonly ComplianceCheck[] = [claudeMdCompliance, trackerCompliance, agentsCompliance, securityCompliance];

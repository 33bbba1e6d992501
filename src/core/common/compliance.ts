// A framework compliance check contributed by an area (CLAUDE.md, tracker, agents, `.claude-pm` layout).
// Health runs them all per project and scores the results.

export interface ComplianceItem {
  /** Stable id, e.g. 'claude-md.owned'. */
  id: string;
  title: string;
  passed: boolean;
  /** How much a failure matters: errors weigh more than warnings in the compliance score. */
  severity: 'error' | 'warning' | 'info';
  detail: string;
  /** What the user should do, in plain words. */
  fixHint?: string;
  /** A `claudePm.*` command that fixes it, when there is one. */
  fixCommand?: string;
}

export type ComplianceCheck = (projectRoot: string) => Promise<ComplianceItem[]>;

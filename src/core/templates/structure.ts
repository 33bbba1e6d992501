// The real generator's validator: a CLAUDE.md must carry these sections and name the nine core agents.

export const REQUIRED_SECTIONS = [
  '## 🤖 AI ASSISTANT ROLE DESIGNATION',
  '## A) AGENTS',
  '## B) TODO AND TASK TOOLS',
  '## C) CLAUDE-PM INIT',
  '## 🚨 CORE ORCHESTRATION PRINCIPLES',
  '## 🔥🚨 CRITICAL: SUBPROCESS VALIDATION PROTOCOL',
  '## 🚨 CRITICAL DELEGATION CONSTRAINTS',
  '## 🚨 TROUBLESHOOTING',
  '## Core Responsibilities',
] as const;

export const CORE_AGENTS = [
  'Documentation Agent',
  'Version Control Agent',
  'QA Agent',
  'Research Agent',
  'Ops Agent',
  'Security Agent',
  'Engineer Agent',
  'Data Engineer Agent',
  'PM Orchestrator Agent',
] as const;

/** Problems that make a text unfit as a framework CLAUDE.md; empty when it passes. */
export function validateStructure(text: string): string[] {
  const lines = new Set(text.split('\n').map((l) => l.trimEnd()));
  const issues: string[] = [];
  if (!/^CLAUDE_MD_VERSION:/m.test(text)) issues.push('missing CLAUDE_MD_VERSION metadata');
  for (const section of REQUIRED_SECTIONS) if (![...lines].some((l) => l.startsWith(section))) issues.push(`missing section "${section}"`);
  for (const agent of CORE_AGENTS) if (!text.includes(agent)) issues.push(`core agent "${agent}" is not named`);
  return issues;
}

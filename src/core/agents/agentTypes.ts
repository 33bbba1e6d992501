// Agent type identifiers. The framework names the same agent several ways (file names `data-agent.md`,
// registry keys `version_control`, prose "Version Control", "Documenter"); all map to one canonical id.

import { lookupTable } from '../common/ownKeys';

/** The core agents every project can delegate to (shipped as system agents). */
export const CORE_AGENT_TYPES = ['engineer', 'qa', 'ops', 'research', 'documentation', 'security', 'version-control', 'data-engineer', 'architect', 'ticketing'] as const;

const ALIASES = lookupTable<string>({
  data: 'data-engineer',
  operations: 'ops',
  documenter: 'documentation',
  docs: 'documentation',
  versioner: 'version-control',
  researcher: 'research',
  pm: 'pm-orchestrator',
  orchestrator: 'pm-orchestrator',
  architecture: 'architect',
});

/** `Version_Control`, `version control`, `version-control-agent` → `version-control`; `data` → `data-engineer`. */
export function canonicalAgentType(raw: string): string {
  const slug = raw
    .trim()
    .toLowerCase()
    .replace(/\.md$/, '')
    .replace(/[\s_]+/g, '-')
    .replace(/[^a-z0-9-]/g, '')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .replace(/-agent(-profile)?$/, '');
  return ALIASES[slug] ?? slug;
}

/** `version-control` → `Version Control`. */
export function agentTypeLabel(type: string): string {
  return type
    .split('-')
    .map((w) => (w === 'qa' || w === 'pm' ? w.toUpperCase() : w.charAt(0).toUpperCase() + w.slice(1)))
    .join(' ');
}

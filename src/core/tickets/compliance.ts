// The tracker's share of framework compliance: an initialised tracker with unique IDs and readable files.

import type { ComplianceCheck, ComplianceItem } from '../common/compliance';
import { TicketTracker } from './tracker';

const LISTED = 5;

export const trackerCompliance: ComplianceCheck = async (projectRoot) => {
  // The tracker indexes the root from the scan its resolution already made: every file is read once.
  const { location, index } = await TicketTracker.open(projectRoot, { env: process.env });
  const initialised = location.configPath !== undefined || location.exists;
  const items: ComplianceItem[] = [
    {
      id: 'tickets.initialised',
      title: 'Ticket tracker initialised',
      passed: initialised,
      severity: 'warning',
      detail: initialised ? `tickets in ${location.root}` : 'no .ai-trackdown/config.yaml and no tasks/ or tickets/ folder',
      fixHint: initialised ? undefined : 'Initialise an ai-trackdown tracker so that the PM can create and track tickets.',
      fixCommand: initialised ? undefined : 'claudePm.tickets.init',
    },
  ];
  if (!location.exists) return items;
  const duplicates = index.duplicates();
  items.push({
    id: 'tickets.unique-ids',
    title: 'Ticket IDs are unique',
    passed: duplicates.length === 0,
    severity: 'warning',
    detail: duplicates.length === 0 ? `${index.counts().total} tickets, no duplicate IDs` : `${duplicates.length} IDs used by more than one file: ${list(duplicates.map((d) => d.id))}`,
    fixHint: duplicates.length ? 'Renumber or remove the extra files (see the Problems panel for each file).' : undefined,
  });
  const malformed = index.malformed();
  items.push({
    id: 'tickets.well-formed',
    title: 'Ticket files are readable',
    passed: malformed.length === 0,
    severity: 'error',
    detail: malformed.length === 0 ? 'every ticket file has valid frontmatter' : `${malformed.length} files cannot be read: ${list(malformed.map((m) => `${m.relPath} (${m.diagnostics[0]?.message})`))}`,
    fixHint: malformed.length ? 'Fix the frontmatter of these files; the Problems panel shows the line of each error.' : undefined,
  });
  return items;
};

function list(values: string[]): string {
  return values.length > LISTED ? `${values.slice(0, LISTED).join(', ')} and ${values.length - LISTED} more` : values.join(', ');
}

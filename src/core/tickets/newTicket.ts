// What a freshly created ticket looks like in each format (formats.md §3a "Frontmatter", "Body"; §3b "Files").

import { join } from 'node:path';
import { stringify } from 'yaml';
import { findFrontmatter } from './frontmatter';
import { typeFromId, type TicketFormat } from './model';
import { firstHeading } from './reader';
import type { TicketStructure } from './root';

export type CreatableType = 'epic' | 'issue' | 'task' | 'pr' | 'bug';

export interface NewTicketFields {
  id: string;
  type: CreatableType;
  title: string;
  description: string;
  priority: string;
  assignee?: string;
  tags: string[];
  epicId?: string;
  issueId?: string;
  /** pytools: the parent of any kind. */
  parentId?: string;
  now: Date;
}

/** File name slug: lowercase, only [a-z0-9 -], whitespace to dashes, at most 50 characters. */
export function slugify(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .trim()
    .replace(/\s+/g, '-')
    .replace(/-{2,}/g, '-')
    .slice(0, 50)
    .replace(/^-+|-+$/g, '');
}

/** 4-digit zero-padded IDs: EP-0001, ISS-0042. */
export function formatId(prefix: string, n: number): string {
  return `${prefix}-${String(n).padStart(4, '0')}`;
}

const FOLDERS: Record<CreatableType, keyof TicketStructure | 'bugs'> = { epic: 'epics', issue: 'issues', task: 'tasks', pr: 'prs', bug: 'bugs' };

export function newTicketPath(root: string, structure: TicketStructure, format: TicketFormat, type: CreatableType, id: string, title: string): string {
  const folderKey = FOLDERS[type];
  const folder = folderKey === 'bugs' ? 'bugs' : structure[folderKey];
  if (format === 'pytools') return join(root, folder, `${id}.md`);
  const slug = slugify(title);
  return join(root, folder, slug ? `${id}-${slug}.md` : `${id}.md`);
}

const AI_CONTEXT = ['context/requirements', 'context/constraints', 'context/assumptions', 'context/dependencies'];
const ID_KEY: Record<CreatableType, string> = { epic: 'epic_id', issue: 'issue_id', task: 'task_id', pr: 'pr_id', bug: 'issue_id' };

export function renderNewTicket(format: TicketFormat, f: NewTicketFields): string {
  return format === 'tools' ? renderTools(f) : renderPytools(f);
}

function renderTools(f: NewTicketFields): string {
  const at = f.now.toISOString();
  const data: Record<string, unknown> = { [ID_KEY[f.type]]: f.id };
  if (f.type === 'task' || f.type === 'pr') data.issue_id = f.issueId;
  if (f.type !== 'epic' && f.epicId) data.epic_id = f.epicId;
  Object.assign(data, { title: f.title, description: f.description, status: 'planning' });
  if (f.type === 'pr') data.pr_status = 'draft';
  Object.assign(data, {
    priority: f.priority,
    assignee: f.assignee ?? 'unassigned',
    created_date: at,
    updated_date: at,
    estimated_tokens: 0,
    actual_tokens: 0,
    ai_context: AI_CONTEXT,
    sync_status: 'local',
  });
  if (f.tags.length) data.tags = f.tags;
  if (f.type === 'epic') Object.assign(data, { related_issues: [], dependencies: [], completion_percentage: 0 });
  if (f.type === 'issue' || f.type === 'bug') Object.assign(data, { related_tasks: [], related_issues: [], completion_percentage: 0, blocked_by: [], blocks: [] });
  if (f.type === 'task') Object.assign(data, { subtasks: [], blocked_by: [], blocks: [] });
  if (f.type === 'pr') Object.assign(data, { reviewers: [], approvals: [] });
  return `---\n${stringify(data, { lineWidth: 120 })}---\n\n${toolsBody(f)}`;
}

function toolsBody(f: NewTicketFields): string {
  const d = f.description || 'Describe the work here.';
  switch (f.type) {
    case 'epic':
      return `# Epic: ${f.title}\n\n## Overview\n${d}\n\n## Objectives\n- [ ] Objective 1\n\n## Acceptance Criteria\n- [ ] Criteria 1\n\n## Related Issues\n\n## Notes\n`;
    case 'task':
      return `# Task: ${f.title}\n\n## Description\n${d}\n\n## Steps\n1. Step 1\n\n## Acceptance Criteria\n- [ ] Criteria 1\n\n## Notes\n`;
    case 'pr':
      return `# PR: ${f.title}\n\n## Description\n${d}\n\n## Changes\n- Change 1\n\n## Testing\n- [ ] Unit tests pass\n\n## Checklist\n- [ ] Code reviewed\n`;
    default:
      return `# Issue: ${f.title}\n\n## Description\n${d}\n\n## Tasks\n- [ ] Task 1\n\n## Acceptance Criteria\n- [ ] Criteria 1\n\n## Notes\n`;
  }
}

const PYTOOLS_TYPE: Record<CreatableType, string> = { epic: 'epic', issue: 'issue', task: 'task', pr: 'pull_request', bug: 'bug' };

/** pytools writes with `yaml.dump`: keys sorted, timestamps without a zone. */
function renderPytools(f: NewTicketFields): string {
  const at = f.now.toISOString().replace('Z', '000');
  const meta: Record<string, unknown> = { type: PYTOOLS_TYPE[f.type] };
  if (f.epicId && f.type !== 'epic') meta.epic = f.epicId;
  const data: Record<string, unknown> = {
    actual_hours: null,
    assignees: f.assignee ? [f.assignee] : [],
    created_at: at,
    dependencies: [],
    description: f.description,
    due_date: null,
    estimated_hours: null,
    id: f.id,
    labels: [],
    metadata: meta,
    parent: f.parentId ?? null,
    priority: f.priority,
    status: f.type === 'epic' ? 'planning' : f.type === 'pr' ? 'draft' : 'open',
    tags: f.tags,
    title: f.title,
    updated_at: at,
  };
  const body = `# ${f.title}\n\n## Description\n${f.description || 'Describe the work here.'}\n\n## Tasks\n- [ ] Add task items here\n\n## Notes\n_Add any additional notes or context here._\n`;
  return `---\n${stringify(data, { lineWidth: 0, sortMapEntries: true })}---\n\n${body}`;
}

export function isCreatable(type: string): type is CreatableType {
  return type === 'epic' || type === 'issue' || type === 'task' || type === 'pr' || type === 'bug';
}

/**
 * A note named after a ticket (`ISS-0022-….md`) turned into that ticket: the frontmatter a new ticket of the tree's
 * format would get, with the note's first heading as title, above the note's text, which stays as the body.
 */
export function withTicketFrontmatter(text: string, id: string, format: TicketFormat, now: Date): string {
  const type = typeFromId(id);
  if (!type || !isCreatable(type)) throw new Error(`${id} is not an epic, issue, task, pr or bug ID`);
  const title = firstHeading(text)?.replace(/^(?:epic|issue|task|bug|pr):\s*/i, '') ?? id;
  const rendered = renderNewTicket(format, { id, type, title, description: '', priority: 'medium', tags: [], now });
  const block = findFrontmatter(rendered);
  if (block.kind !== 'found') throw new Error('a rendered ticket always has frontmatter');
  return `${rendered.slice(0, block.bodyStart)}\n${text}`;
}


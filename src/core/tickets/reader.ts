// The lenient reader: one markdown file in, a ticket, an unparsed document or a diagnosed failure out.
// Both formats are detected per file; real-world defects are tolerated (formats.md §3 "Real data breaks these rules").

import { basename, relative, sep } from 'node:path';
import { isMap, isScalar, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { positionAt, type FileDiagnostic } from '../config/diagnostics';
import { fastParseYaml } from './fastYaml';
import { findFrontmatter } from './frontmatter';
import { idFromFileName, isOpen, typeFromId, type ParsedFile, type Ticket, type TicketFormat, type TicketType } from './model';
import { ticketSchemas } from './schema';
import { isKnownStatus, knownStatuses, normalizeStatus, type StatusField } from './status';
import { lookupTable } from '../common/ownKeys';

/** The code of the diagnostic on a file named like a ticket that has no frontmatter: the editor offers to add it. */
export const NO_FRONTMATTER = 'ticket-without-frontmatter';

/** Bump when what the reader returns for a file changes: cached parse results of other versions are not used. */
export const READER_VERSION = 3;

/** Larger files are skipped with a diagnostic: no real ticket comes near this. */
export const MAX_TICKET_FILE_BYTES = 2 * 1024 * 1024;

// Keys the tools' `updateFile` bug spreads into the frontmatter; never real fields.
const LEAKED_KEYS = ['content', 'file_path'];

export function toRelPath(root: string, path: string): string {
  const rel = relative(root, path);
  return sep === '/' ? rel : rel.split(sep).join('/');
}

export function parseTicketFile(text: string, path: string, root: string): ParsedFile {
  const relPath = toRelPath(root, path);
  const claimedId = idFromFileName(basename(path));
  const fail = (message: string, line?: number): ParsedFile => ({ kind: 'malformed', path, relPath, claimedId, diagnostics: [{ file: path, line, message, severity: 'error' }] });

  if (text.length > MAX_TICKET_FILE_BYTES) return fail(`file is larger than ${MAX_TICKET_FILE_BYTES / 1024 / 1024} MB; skipped`);
  if (text.includes('\u0000')) return fail('file contains binary data (NUL bytes); skipped');
  const block = findFrontmatter(text);
  if (block.kind === 'none') {
    // A file named like a ticket but without frontmatter is usually a ticket someone wrote by hand: say why it is not one.
    const diagnostics: FileDiagnostic[] = claimedId ? [{ file: path, line: 1, message: `named like ticket ${claimedId} but has no frontmatter, so it is not read as a ticket; add frontmatter with ${idKeyHint(claimedId)} and title to make it one`, severity: 'info', code: NO_FRONTMATTER }] : [];
    return { kind: 'unparsed', document: { path, relPath, claimedId, title: firstHeading(text) }, diagnostics };
  }
  if (block.kind === 'unclosed') return fail('frontmatter opened by --- on line 1 is never closed by a --- line', 1);

  const parsed = parseFrontmatterYaml(text.slice(block.yamlStart, block.yamlEnd), block.firstLine);
  if ('error' in parsed) return fail(`invalid YAML frontmatter: ${parsed.error}`, parsed.line);
  const { data, lineOf } = parsed;
  if (data === null || data === undefined) return fail('frontmatter is empty', block.firstLine);
  if (typeof data !== 'object' || Array.isArray(data)) return fail('frontmatter is not a key: value mapping', block.firstLine);

  const record = data as Record<string, unknown>;
  for (const key of LEAKED_KEYS) delete record[key];
  const diagnostics: FileDiagnostic[] = [];
  const format = detectFormat(record);
  const isComment = format === 'tools' && ('issueId' in record || relPath.includes('/comments/'));
  const schemas = ticketSchemas();
  const schema = isComment ? schemas.toolsComment : format === 'tools' ? schemas.toolsTicket : schemas.pytoolsTicket;
  const valid = validateLeniently(schema, record, path, lineOf, diagnostics);

  let id = format === 'tools' && !isComment ? (str(valid.pr_id) ?? str(valid.task_id) ?? str(valid.issue_id) ?? str(valid.epic_id)) : str(valid.id);
  if (!id) {
    if (!claimedId) {
      const failed = fail('no ticket ID: expected one of epic_id, issue_id, task_id, pr_id or id', block.firstLine);
      failed.diagnostics.push(...diagnostics);
      return failed;
    }
    id = claimedId;
    diagnostics.push({ file: path, line: block.firstLine, message: `no ID key in the frontmatter; using ${claimedId} from the file name`, severity: 'warning' });
  }
  const type: TicketType = isComment ? 'comment' : (typeFromId(id) ?? typeFromKeys(valid, format, relPath));
  const ticket = format === 'tools' ? buildToolsTicket(valid, id, type) : buildPytoolsTicket(valid, id, type);
  const title = ticket.title ?? firstHeading(text.slice(block.bodyStart)) ?? basename(path, '.md');
  if (ticket.title === undefined && type !== 'comment') diagnostics.push({ file: path, line: block.firstLine, key: 'title', message: 'no title; using the first heading or the file name', severity: 'warning' });
  const status = ticket.status ?? (format === 'tools' ? 'planning' : 'open');
  if (ticket.status === undefined && type !== 'comment') diagnostics.push({ file: path, line: block.firstLine, key: 'status', message: `no status; treated as '${status}'`, severity: 'warning' });
  const effective = ticket.state ?? status;
  const tool = format === 'tools' ? 'ai-trackdown-tools' : 'ai-trackdown-pytools';
  if (type !== 'comment') {
    for (const [key, value] of statusFields(format, type, ticket, valid)) {
      if (isKnownStatus(format, type, value, key)) continue;
      const known = knownStatuses(format, type, key);
      diagnostics.push({ file: path, line: lineOf(key), key, message: `'${value}' is not a documented ${tool} ${key} for ${ARTICLE[type]} ${type} (${known.join(', ')}); grouped as '${normalizeStatus(value)}'`, severity: 'warning' });
    }
  }
  const statusConflict = ticket.state !== undefined && ticket.status !== undefined && isFinished(ticket.status) !== isFinished(ticket.state) ? { status: ticket.status, state: ticket.state } : undefined;
  if (statusConflict) {
    const statusLine = lineOf('status');
    diagnostics.push({ file: path, line: lineOf('state'), key: 'state', message: `state '${statusConflict.state}' contradicts status '${statusConflict.status}'${statusLine ? ` (line ${statusLine})` : ''}; the state wins, as in ai-trackdown-tools: set both to agree`, severity: 'warning' });
  }
  if (ticket.parentId === id) diagnostics.push({ file: path, line: lineOf(ticket.parentKey ?? 'parent'), key: ticket.parentKey, message: `${id} names itself as its parent; shown at the top level instead`, severity: 'warning' });
  const archivedByBanner = block.banner !== undefined;
  return {
    kind: 'ticket',
    ticket: { ...ticket, parentLine: ticket.parentKey ? lineOf(ticket.parentKey) : undefined, title, status, normalizedStatus: archivedByBanner ? 'archived' : normalizeStatus(effective), format, path, relPath, ...(statusConflict && { statusConflict }), ...(archivedByBanner && { archivedByBanner }) },
    diagnostics,
  };
}

type LineOf = (key: string) => number | undefined;

/** Parses the frontmatter YAML: the fast path for the plain subset, the `yaml` library for everything else. */
function parseFrontmatterYaml(yamlText: string, firstLine: number): { data: unknown; lineOf: LineOf } | { error: string; line: number } {
  const fast = fastParseYaml(yamlText);
  if (fast) {
    return {
      data: fast.data,
      lineOf: (key) => {
        const line = fast.keyLines.get(key);
        return line === undefined ? undefined : line + firstLine;
      },
    };
  }
  try {
    const doc = parseDocument(yamlText, { uniqueKeys: true });
    const error = doc.errors[0];
    if (error) {
      // Errors at the very end (an unclosed quote) point past the last line: report the last YAML line instead.
      const line = Math.min(positionAt(yamlText, error.pos[0]).line, positionAt(yamlText, Math.max(0, yamlText.length - 1)).line);
      return { error: yamlMessage(error.message), line: line + firstLine - 1 };
    }
    return { data: doc.toJS({ maxAliasCount: 50 }), lineOf: (key) => keyLine(doc, yamlText, key, firstLine) };
  } catch (error) {
    return { error: yamlMessage((error as Error).message), line: firstLine };
  }
}

type Fields = Omit<Ticket, 'title' | 'status' | 'normalizedStatus' | 'format' | 'path' | 'relPath'> & { title?: string; status?: string };
type Data = Record<string, unknown>;

function detectFormat(record: Data): TicketFormat {
  if ('epic_id' in record || 'issue_id' in record || 'task_id' in record || 'pr_id' in record || 'created_date' in record || 'issueId' in record) return 'tools';
  return 'id' in record || 'created_at' in record || 'assignees' in record ? 'pytools' : 'tools';
}

/** Validates against the schema; a field that fails is dropped with a warning, the rest of the ticket is kept. */
function validateLeniently(schema: z.ZodType<Data>, record: Data, file: string, lineOf: LineOf, diagnostics: FileDiagnostic[]): Data {
  let candidate = record;
  for (let attempt = 0; attempt < 3; attempt++) {
    const result = schema.safeParse(candidate);
    if (result.success) return result.data;
    candidate = { ...candidate };
    for (const issue of result.error.issues) {
      const key = String(issue.path[0] ?? '');
      if (!(key in candidate)) continue;
      delete candidate[key];
      diagnostics.push({ file, line: lineOf(key), key: issue.path.map(String).join('.'), message: `${issue.message}; value ignored`, severity: 'warning' });
    }
  }
  return {};
}

const FOLDER_TYPES = lookupTable<TicketType>({ epics: 'epic', issues: 'issue', tasks: 'task', prs: 'pr', bugs: 'bug', comments: 'comment' });
const PYTOOLS_TYPES = lookupTable<TicketType>({ epic: 'epic', issue: 'issue', task: 'task', bug: 'bug', pull_request: 'pr', pr: 'pr', comment: 'comment' });

function typeFromKeys(data: Data, format: TicketFormat, relPath: string): TicketType {
  if (format === 'tools') {
    if (data.pr_id) return 'pr';
    if (data.task_id) return 'task';
    if (data.issue_id) return 'issue';
    if (data.epic_id) return 'epic';
  } else {
    const declared = PYTOOLS_TYPES[str((data.metadata as Data | undefined)?.type) ?? ''];
    if (declared) return declared;
  }
  for (const folder of relPath.split('/').reverse()) if (FOLDER_TYPES[folder]) return FOLDER_TYPES[folder];
  return 'task';
}

function buildToolsTicket(d: Data, id: string, type: TicketType): Fields {
  const epicId = type === 'epic' ? undefined : str(d.epic_id);
  const issueId = type === 'task' || type === 'pr' ? str(d.issue_id) : type === 'comment' ? str(d.issueId) : undefined;
  const parentTask = type === 'task' ? str(d.parent_task) : undefined;
  const parentKey = parentTask ? 'parent_task' : issueId ? (type === 'comment' ? 'issueId' : 'issue_id') : epicId ? 'epic_id' : undefined;
  return {
    id,
    type,
    parentKey,
    title: str(d.title),
    description: str(d.description) ?? '',
    status: str(d.status),
    state: str(d.state),
    priority: str(d.priority) ?? 'medium',
    assignees: str(d.assignee ?? d.author) ? [str(d.assignee ?? d.author)!] : [],
    tags: list(d.tags),
    epicId,
    issueId,
    parentId: parentTask ?? issueId ?? epicId,
    childIds: type === 'epic' ? list(d.related_issues) : type === 'issue' ? list(d.related_tasks) : type === 'task' ? list(d.subtasks) : [],
    createdAt: str(d.created_date ?? d.createdAt),
    updatedAt: str(d.updated_date ?? d.updatedAt),
  };
}

function buildPytoolsTicket(d: Data, id: string, type: TicketType): Fields {
  const meta = (d.metadata ?? {}) as Data;
  const parent = str(d.parent) ?? str(meta.parent);
  const epicId = type === 'epic' ? undefined : (str(meta.epic) ?? (parent && typeFromId(parent) === 'epic' ? parent : undefined));
  const issueId = parent && typeFromId(parent) === 'issue' ? parent : undefined;
  return {
    id,
    type,
    parentKey: str(d.parent) ? 'parent' : parent || epicId ? 'metadata' : undefined,
    title: str(d.title),
    description: str(d.description) ?? '',
    status: str(d.status),
    priority: str(d.priority) ?? 'medium',
    assignees: list(d.assignees),
    tags: [...list(d.tags), ...list(d.labels).filter((l) => !list(d.tags).includes(l))],
    epicId,
    issueId,
    parentId: parent ?? epicId,
    childIds: [...list(d.child_issues), ...list(d.child_tasks)],
    createdAt: str(d.created_at),
    updatedAt: str(d.updated_at),
  };
}

const ARTICLE: Record<TicketType, string> = { epic: 'an', issue: 'an', task: 'a', pr: 'a', bug: 'a', comment: 'a' };

/** The status-like fields a file carries, each checked against its own list: `state` wins over `status`, a PR's `pr_status` stands apart. */
function statusFields(format: TicketFormat, type: TicketType, ticket: Fields, data: Data): [StatusField, string][] {
  const fields: [StatusField, string][] = [[ticket.state !== undefined ? 'state' : 'status', ticket.state ?? ticket.status ?? (format === 'tools' ? 'planning' : 'open')]];
  const prStatus = str(data.pr_status);
  if (format === 'tools' && type === 'pr' && prStatus !== undefined) fields.push(['pr_status', prStatus]);
  return fields;
}

/** Finished means no work left: done, cancelled or archived. A status and a state disagreeing on that is a real conflict. */
function isFinished(raw: string): boolean {
  return !isOpen(normalizeStatus(raw));
}

/** The key a hand-written file needs for its ID. */
function idKeyHint(id: string): string {
  const type = typeFromId(id);
  return type === 'epic' || type === 'issue' || type === 'task' || type === 'pr' ? `${type}_id` : 'id';
}

function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

function list(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v !== '') : [];
}

/** The yaml library's first message line without its own position, which counts from the frontmatter, not the file. */
function yamlMessage(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

/** The text of the first `#`, `##` or `###` heading near the top. */
export function firstHeading(text: string): string | undefined {
  const match = /^#{1,3}[ \t]+(.+?)[ \t]*$/m.exec(text.slice(0, 4000));
  return match?.[1];
}

function keyLine(doc: Document, yamlText: string, key: string, firstLine: number): number | undefined {
  if (!isMap(doc.contents)) return undefined;
  for (const pair of doc.contents.items) {
    if (isScalar(pair.key) && pair.key.value === key && pair.key.range) return positionAt(yamlText, pair.key.range[0]).line + firstLine - 1;
  }
  return undefined;
}

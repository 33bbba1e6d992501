import { appendFile, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { readOptional, userAuditTrust, type AuditTrust } from './auditKeys';
import { redact, redactValue } from '../common/redact';
import { CHAIN_START, chainBreak, sealEntry, sealMatches, type ChainLink } from './auditSeal';

// The tamper-evident audit trail: one JSON object per line in `.claude-pm/logs/audit.log`, each sealed with an
// HMAC-SHA-256 under a key kept outside the workspace and linked to the line before it. Editing, removing or
// reordering a line breaks the chain; without the key nobody can write a chain that verifies. The last entry
// written is anchored beside the key, so truncating, emptying, deleting or replacing the log is reported too.

// `ticket_sync`: tickets and GitHub issues synced (what was created, updated, pushed, left in conflict).
// `agent_action`: a change an agent made through the claude-pm tool server, naming the agent and its run.
export const SECURITY_EVENTS = [
  'auth_success',
  'auth_failure',
  'auth_lockout',
  'permission_denied',
  'key_rotation',
  'config_change',
  'agent_action',
  'agent_delegation',
  'workflow_run',
  'memory_write',
  'memory_delete',
  'memory_export',
  'ticket_sync',
] as const;
export type SecurityEventType = (typeof SECURITY_EVENTS)[number];

export const AUDIT_LOG_PATH = join('.claude-pm', 'logs', 'audit.log');
const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;
const TAIL_BYTES = 64 * 1024;
/** Field bounds: a flood of huge events cannot make one line unbounded. */
export const AUDIT_FIELD_LIMITS = { actor: 256, action: 512, target: 2048, details: 8192 } as const;
// No line Claude PM writes is longer; a longer one was not written by it.
const MAX_LINE_CHARS = 16 * 1024;
// A rotated or current file is never much larger than the rotation size; a huge one is refused unread.
const MAX_FILE_BYTES = 4 * DEFAULT_MAX_BYTES;

export const auditEntrySchema = z.object({
  seq: z.number().int().min(1),
  timestamp: z.string().min(1).max(40),
  event: z.enum(SECURITY_EVENTS),
  actor: z.string().max(AUDIT_FIELD_LIMITS.actor),
  action: z.string().max(AUDIT_FIELD_LIMITS.action),
  target: z.string().max(AUDIT_FIELD_LIMITS.target).optional(),
  details: z.record(z.string(), z.unknown()).optional(),
  kid: z.string().regex(/^[0-9a-f]{16}$/),
  prev: z.string().regex(/^[0-9a-f]{64}$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** What a caller records; the log adds the sequence number, time, key id and chain, bounds and redacts. */
export interface AuditEvent {
  event: SecurityEventType;
  actor: string;
  action: string;
  target?: string;
  details?: Record<string, unknown>;
}

export interface AuditLogOptions {
  /** Rotate before a line would make the file larger than this. */
  maxBytes?: number;
  now?: () => Date;
  /** Keys and anchors; by default the user's (CLAUDE_PM_AUDIT_KEY, else the key file in the user's config folder). */
  trust?: AuditTrust;
  /** The environment that locates the default trust. */
  env?: NodeJS.ProcessEnv;
  /** Told of the entries written, in the order of the log (the editor forwards them to the team database). */
  onAppend?: (entries: readonly AuditEntry[]) => void;
}

export interface AuditVerification {
  ok: boolean;
  /** The current log file. */
  file: string;
  /** Entries checked (all of them when the trail is intact), across the rotated files and the current one. */
  lines: number;
  /** The files checked, oldest first. */
  files?: string[];
  /** The file holding the first problem, and the 1-based line in it. */
  brokenFile?: string;
  firstBrokenLine?: number;
  /** The trail has never been written (no file and no anchor). */
  empty?: boolean;
  reason?: string;
}

// Appends from one process are queued per file; other processes are kept out by a lock file.
const queues = new Map<string, Promise<unknown>>();

/** Appends events to one workspace's audit trail; `AuditLog.forWorkspace(root)` is the usual way in. */
export class AuditLog {
  private readonly maxBytes: number;
  private readonly now: () => Date;
  private readonly onAppend: ((entries: readonly AuditEntry[]) => void) | undefined;
  readonly trust: AuditTrust;

  constructor(
    readonly file: string,
    options: AuditLogOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.now = options.now ?? (() => new Date());
    this.trust = options.trust ?? userAuditTrust(options.env);
    this.onAppend = options.onAppend;
  }

  static forWorkspace(workspaceRoot: string, options?: AuditLogOptions): AuditLog {
    return new AuditLog(join(workspaceRoot, AUDIT_LOG_PATH), options);
  }

  /** Records one event and resolves with the line written. */
  async append(event: AuditEvent): Promise<AuditEntry> {
    const [entry] = await this.appendAll([event]);
    return entry!;
  }

  /** Records events in order under one lock (an import, a batch of auth events); resolves with the lines written. */
  appendAll(events: readonly AuditEvent[]): Promise<AuditEntry[]> {
    const previous = queues.get(this.file) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => withFileLock(`${this.file}.lock`, () => this.appendNow(events)).then((entries) => {
        this.onAppend?.(entries);
        return entries;
      }),
    );
    queues.set(this.file, next);
    void next.finally(() => queues.get(this.file) === next && queues.delete(this.file)).catch(() => undefined);
    return next;
  }

  /** Checks the whole trail against this log's keys and anchor. */
  verify(): Promise<AuditVerification> {
    return verifyAuditLog(this.file, { trust: this.trust });
  }

  /**
   * Makes a new signing key after checking the trail with the old one. The rotation is itself the first entry
   * sealed with the new key and names the old one; old keys stay in the keyring, so the history still verifies.
   */
  async rotateKey(actor: string): Promise<{ previous?: string; current: string; verification: AuditVerification }> {
    const verification = await this.verify();
    if (!verification.ok) throw new Error(`the audit trail does not verify (${verification.reason}); keep it for investigation before rotating the key`);
    const rotation = await withFileLock(`${this.file}.lock`, () => this.trust.rotate());
    await this.append({ event: 'key_rotation', actor, action: 'rotate the audit key', target: 'audit key', details: { ...(rotation.previous ? { previous_key: rotation.previous } : {}), new_key: rotation.current } });
    return { ...rotation, verification };
  }

  /** Every parsable entry of the current file, oldest first; unreadable lines are skipped (verify reports them). */
  async read(): Promise<AuditEntry[]> {
    const text = await readOptional(this.file);
    const entries: AuditEntry[] = [];
    for (const line of splitLines(text ?? '')) {
      const parsed = parseLine(line);
      if (parsed.entry) entries.push(parsed.entry);
    }
    return entries;
  }

  private async appendNow(events: readonly AuditEvent[]): Promise<AuditEntry[]> {
    await mkdir(dirname(this.file), { recursive: true });
    const keyring = (await this.trust.keyring(true))!;
    let last = await this.continueFrom();
    let size = (await stat(this.file).catch(() => undefined))?.size ?? 0;
    let pending = '';
    const written: AuditEntry[] = [];
    const flush = async () => {
      if (!pending) return;
      await appendFile(this.file, pending, 'utf8');
      pending = '';
      await this.trust.writeAnchor(this.file, { seq: last.seq, hash: last.hash, updated: this.now().toISOString() });
    };
    for (const event of events) {
      const kid = keyring.current;
      const entry = sealEntry(
        {
          seq: last.seq + 1,
          timestamp: this.now().toISOString(),
          event: event.event,
          ...boundedAuditFields(event),
          kid,
          prev: last.hash,
        },
        keyring.keys.get(kid)!,
      );
      const line = `${JSON.stringify(entry)}\n`;
      const bytes = Buffer.byteLength(line);
      // The new file continues the chain of the rotated one: its first line links to the rotated last line.
      if (size > 0 && size + bytes > this.maxBytes) {
        await flush();
        await rotateFile(this.file);
        size = 0;
      }
      pending += line;
      size += bytes;
      last = { seq: entry.seq, hash: entry.hash };
      written.push(entry);
    }
    await flush();
    return written;
  }

  // The link the next entry continues: the file's last line, or the anchor when the file ends before it (the
  // log was truncated or deleted: new entries keep their true numbers and verify reports the gap).
  private async continueFrom(): Promise<ChainLink> {
    const fromFile = await lastLink(this.file);
    const anchor = await this.trust.readAnchor(this.file).catch(() => undefined);
    return anchor && anchor.seq > fromFile.seq ? { seq: anchor.seq, hash: anchor.hash } : fromFile;
  }
}

export interface VerifyOptions {
  trust?: AuditTrust;
  env?: NodeJS.ProcessEnv;
}

/**
 * Checks the whole trail of `file`: the rotated files (`audit.log.1` oldest, `.2`, …) and then the current one,
 * as one chain from entry 1, every line sealed with a key of the keyring, and the last entry no earlier than the
 * anchor. Names the file and line of the first problem.
 */
export async function verifyAuditLog(file: string, options: VerifyOptions = {}): Promise<AuditVerification> {
  const trust = options.trust ?? userAuditTrust(options.env);
  const anchor = await trust.readAnchor(file);
  const keyring = await trust.keyring(false);
  const files = [...(await rotatedFiles(file)), ...((await exists(file)) ? [file] : [])];
  const base = { file, files };
  if (files.length === 0) {
    if (!anchor) return { ok: true, ...base, lines: 0, empty: true };
    return { ok: false, ...base, lines: 0, reason: `the audit log is missing: it was deleted or moved after entry ${anchor.seq} was written (${anchor.updated})` };
  }
  let expected: ChainLink = CHAIN_START;
  let checked = 0;
  let anchorSeen = false;
  for (const current of files) {
    const { size } = await stat(current);
    if (size > MAX_FILE_BYTES) return { ok: false, ...base, lines: checked, brokenFile: current, reason: `${basename(current)} is ${size} bytes, larger than any audit file Claude PM writes` };
    const lines = splitLines(await readFile(current, 'utf8'));
    for (let i = 0; i < lines.length; i++) {
      const broken = (reason: string): AuditVerification => ({ ok: false, ...base, lines: checked, brokenFile: current, firstBrokenLine: i + 1, reason });
      const { entry, error } = parseLine(lines[i]!);
      if (!entry) return broken(error!);
      const key = keyring?.keys.get(entry.kid);
      if (!key) return broken(`the line is sealed with audit key ${entry.kid}, which is not in ${trust.where} (written elsewhere, or forged)`);
      if (!sealMatches(entry, key)) return broken('the line was changed after it was written (its seal does not match its content)');
      const chain = chainBreak(expected, entry, 'line');
      if (chain) return broken(chain);
      if (anchor && entry.seq === anchor.seq) {
        if (entry.hash !== anchor.hash) return broken(`entry ${entry.seq} is not the one that was written (the log was replaced)`);
        anchorSeen = true;
      }
      expected = { seq: entry.seq, hash: entry.hash };
      checked++;
    }
  }
  if (anchor && !anchorSeen) {
    const what = checked === 0 ? 'the audit log was emptied' : `the audit log ends at entry ${expected.seq}`;
    return { ok: false, ...base, lines: checked, brokenFile: file, reason: `${what}, but entry ${anchor.seq} was written (${anchor.updated}): entries were removed from its end` };
  }
  return { ok: true, ...base, lines: checked };
}

// Rotated files are numbered in order of rotation (`audit.log.1` is the oldest) and never deleted, so no
// entry is lost to a flood; moving them elsewhere is the user's decision, and verify reports the missing start.
async function rotatedFiles(file: string): Promise<string[]> {
  const prefix = `${basename(file)}.`;
  const names = await readdir(dirname(file)).catch(() => [] as string[]);
  return names
    .filter((n) => n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length)))
    .map((n) => Number(n.slice(prefix.length)))
    .sort((a, b) => a - b)
    .map((n) => `${file}.${n}`);
}

async function rotateFile(file: string): Promise<void> {
  const rotated = await rotatedFiles(file);
  const next = rotated.length ? Number(rotated[rotated.length - 1]!.slice(file.length + 1)) + 1 : 1;
  await rename(file, `${file}.${next}`);
}

// The link the next entry continues. A damaged last line still yields a link so appends keep working; verify
// reports the damage.
function lastLinkIn(text: string): ChainLink {
  const lines = splitLines(text);
  const raw = lines[lines.length - 1];
  if (raw === undefined) return CHAIN_START;
  const { entry } = parseLine(raw);
  return entry ? { seq: entry.seq, hash: entry.hash } : CHAIN_START;
}

// Reads only the tail of the current file; a file missing or empty right after a rotation continues the newest rotated one.
async function lastLink(file: string): Promise<ChainLink> {
  const tail = await readTail(file);
  if (tail) return lastLinkIn(tail);
  const rotated = await rotatedFiles(file);
  const newest = rotated[rotated.length - 1];
  return newest ? lastLinkIn((await readTail(newest)) ?? '') : CHAIN_START;
}

async function readTail(file: string): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return undefined;
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } finally {
    await handle.close();
  }
}

function parseLine(line: string): { entry?: AuditEntry; error?: string } {
  if (line.length > MAX_LINE_CHARS) return { error: `the line is ${line.length} characters long, longer than any audit entry` };
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { error: 'the line is not valid JSON' };
  }
  const result = auditEntrySchema.safeParse(raw);
  if (!result.success) return { error: `the line is not an audit entry (${result.error.issues[0]?.path.join('.') || 'root'}: ${result.error.issues[0]?.message})` };
  // Seal what was written, not the schema's output, so unknown keys added by an editor are detected.
  return { entry: raw as AuditEntry };
}

/** An event's text fields redacted and within their bounds, as every audit trail stores them. */
export function boundedAuditFields(event: Pick<AuditEvent, 'actor' | 'action' | 'target' | 'details'>): Pick<AuditEntry, 'actor' | 'action' | 'target' | 'details'> {
  return {
    actor: bounded(redact(event.actor), AUDIT_FIELD_LIMITS.actor),
    action: bounded(redact(event.action), AUDIT_FIELD_LIMITS.action),
    ...(event.target === undefined ? {} : { target: bounded(redact(event.target), AUDIT_FIELD_LIMITS.target) }),
    ...(event.details === undefined ? {} : { details: boundedDetails(redactValue(event.details)) }),
  };
}

function bounded(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

// Details larger than their bound are kept as a truncated preview, so the entry still says what happened.
function boundedDetails(details: Record<string, unknown>): Record<string, unknown> {
  const json = JSON.stringify(details);
  if (json.length <= AUDIT_FIELD_LIMITS.details) return details;
  return { truncated: true, original_length: json.length, preview: json.slice(0, AUDIT_FIELD_LIMITS.details - 200) };
}

function splitLines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}

const exists = (file: string) => stat(file).then(() => true, () => false);


const LOCK_STALE_MS = 10_000;
// Generous: two busy writers take turns, and a waiter may lose a few rounds on a loaded machine.
const LOCK_WAIT_MS = 30_000;

// An exclusive lock file between processes (the extension and a CLI run may append at once).
async function withFileLock<T>(lockFile: string, task: () => Promise<T>): Promise<T> {
  await mkdir(dirname(lockFile), { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    try {
      const handle = await open(lockFile, 'wx');
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - ((await stat(lockFile).catch(() => undefined))?.mtimeMs ?? Date.now());
      if (age > LOCK_STALE_MS) await rm(lockFile, { force: true });
      else if (Date.now() > deadline) throw new Error(`the audit log is locked by another process (${lockFile}); remove the file if no Claude PM process is running`);
      else await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
  try {
    return await task();
  } finally {
    await rm(lockFile, { force: true });
  }
}

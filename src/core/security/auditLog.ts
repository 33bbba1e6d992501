import { createHash } from 'node:crypto';
import { appendFile, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { redact, redactValue } from '../common/redact';

// The tamper-evident audit log: one JSON object per line in `.claude-pm/logs/audit.log`, each carrying
// the hash of the line before it, so editing, removing or reordering a line breaks the chain.

// `agent_action`: a change an agent made through the claude-pm tool server, naming the agent and its run.
export const SECURITY_EVENTS = ['auth_success', 'auth_failure', 'auth_lockout', 'permission_denied', 'key_rotation', 'config_change', 'agent_action'] as const;
export type SecurityEventType = (typeof SECURITY_EVENTS)[number];

export const AUDIT_LOG_PATH = join('.claude-pm', 'logs', 'audit.log');
const GENESIS = '0'.repeat(64);
const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;
const DEFAULT_KEEP = 5;
const TAIL_BYTES = 64 * 1024;

export const auditEntrySchema = z.object({
  seq: z.number().int().min(1),
  timestamp: z.string().min(1),
  event: z.enum(SECURITY_EVENTS),
  actor: z.string(),
  action: z.string(),
  target: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
  prev: z.string().regex(/^[0-9a-f]{64}$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** What a caller records; the log adds the sequence number, time and chain, and redacts secrets. */
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
  /** Rotated files kept as `audit.log.1` (newest) … `audit.log.N`. */
  keep?: number;
  now?: () => Date;
}

export interface AuditVerification {
  ok: boolean;
  file: string;
  /** Lines checked (all of them when the chain is intact). */
  lines: number;
  /** 1-based number of the first line that does not fit the chain. */
  firstBrokenLine?: number;
  reason?: string;
}

// Appends from one process are queued per file; other processes are kept out by a lock file.
const queues = new Map<string, Promise<unknown>>();

/** Appends security events to one audit file; `AuditLog.forWorkspace(root)` is the usual way in. */
export class AuditLog {
  private readonly maxBytes: number;
  private readonly keep: number;
  private readonly now: () => Date;

  constructor(
    readonly file: string,
    options: AuditLogOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.keep = Math.max(1, options.keep ?? DEFAULT_KEEP);
    this.now = options.now ?? (() => new Date());
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
    const next = previous.catch(() => undefined).then(() => withFileLock(`${this.file}.lock`, () => this.appendNow(events)));
    queues.set(this.file, next);
    void next.finally(() => queues.get(this.file) === next && queues.delete(this.file)).catch(() => undefined);
    return next;
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
    let last = await lastLink(this.file);
    let size = (await stat(this.file).catch(() => undefined))?.size ?? 0;
    let pending = '';
    const written: AuditEntry[] = [];
    for (const event of events) {
      const entry = sealEntry({
        seq: last.seq + 1,
        timestamp: this.now().toISOString(),
        event: event.event,
        actor: redact(event.actor),
        action: redact(event.action),
        ...(event.target === undefined ? {} : { target: redact(event.target) }),
        ...(event.details === undefined ? {} : { details: redactValue(event.details) }),
        prev: last.hash,
      });
      const line = `${JSON.stringify(entry)}\n`;
      const bytes = Buffer.byteLength(line);
      // The new file continues the chain of the rotated one: its first line links to the rotated last line.
      if (size > 0 && size + bytes > this.maxBytes) {
        if (pending) await appendFile(this.file, pending, 'utf8');
        pending = '';
        await this.rotate();
        size = 0;
      }
      pending += line;
      size += bytes;
      last = { seq: entry.seq, hash: entry.hash };
      written.push(entry);
    }
    if (pending) await appendFile(this.file, pending, 'utf8');
    return written;
  }

  private async rotate(): Promise<void> {
    await rm(`${this.file}.${this.keep}`, { force: true });
    for (let i = this.keep - 1; i >= 1; i--) {
      await rename(`${this.file}.${i}`, `${this.file}.${i + 1}`).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    }
    await rename(this.file, `${this.file}.1`);
  }
}

/**
 * Checks the chain of `file` line by line and names the first line that breaks it. The first line must start the
 * chain, or continue the last line of the next older rotated file (`audit.log` → `audit.log.1` → `audit.log.2`…);
 * only the oldest file kept may begin mid-chain, its predecessors having been rotated away.
 */
export async function verifyAuditLog(file: string): Promise<AuditVerification> {
  const text = await readOptional(file);
  if (text === undefined) return { ok: false, file, lines: 0, reason: 'the audit log does not exist' };
  const predecessor = await readOptional(olderFile(file));
  let expected: Link | undefined = predecessor !== undefined ? lastLinkIn(predecessor) : isRotated(file) ? undefined : START;
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const broken = (reason: string): AuditVerification => ({ ok: false, file, lines: i, firstBrokenLine: i + 1, reason });
    const { entry, error } = parseLine(lines[i]!);
    if (!entry) return broken(error!);
    if (entry.hash !== hashEntry(entry)) return broken('the line was changed after it was written (its hash does not match its content)');
    if (expected && (entry.prev !== expected.hash || entry.seq !== expected.seq + 1)) {
      return broken(`the chain is broken before this line: expected entry ${expected.seq + 1}, found entry ${entry.seq} (a line was removed, inserted or reordered)`);
    }
    expected = { seq: entry.seq, hash: entry.hash };
  }
  return { ok: true, file, lines: lines.length };
}

interface Link {
  seq: number;
  hash: string;
}
const START: Link = { seq: 0, hash: GENESIS };

const isRotated = (file: string) => /\.\d+$/.test(file);
// The file rotated out just before `file`: audit.log → audit.log.1, audit.log.1 → audit.log.2.
const olderFile = (file: string) => file.replace(/\.(\d+)$/, (_m, n: string) => `.${Number(n) + 1}`) + (isRotated(file) ? '' : '.1');

// The link the next entry continues. A damaged last line still yields a link (its raw hash) so appends keep
// working; verify reports the damage.
function lastLinkIn(text: string): Link {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const raw = lines[lines.length - 1];
  if (raw === undefined) return START;
  const { entry } = parseLine(raw);
  return entry ? { seq: entry.seq, hash: entry.hash } : { seq: 0, hash: sha256(raw) };
}

// Reads only the tail of the current file; a file missing or empty right after a rotation continues the rotated one.
async function lastLink(file: string): Promise<Link> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (handle) {
    try {
      const { size } = await handle.stat();
      if (size > 0) {
        const length = Math.min(size, TAIL_BYTES);
        const buffer = Buffer.alloc(length);
        await handle.read(buffer, 0, length, size - length);
        return lastLinkIn(buffer.toString('utf8'));
      }
    } finally {
      await handle.close();
    }
  }
  const older = await readOptional(olderFile(file));
  return older === undefined ? START : lastLinkIn(older);
}

function sealEntry(unsealed: Omit<AuditEntry, 'hash'>): AuditEntry {
  return { ...unsealed, hash: hashEntry(unsealed) };
}

function hashEntry(entry: Omit<AuditEntry, 'hash'> & { hash?: string }): string {
  const { hash: _hash, ...content } = entry;
  return sha256(canonicalJson(content));
}

function parseLine(line: string): { entry?: AuditEntry; error?: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { error: 'the line is not valid JSON' };
  }
  const result = auditEntrySchema.safeParse(raw);
  if (!result.success) return { error: `the line is not an audit entry (${result.error.issues[0]?.path.join('.') || 'root'}: ${result.error.issues[0]?.message})` };
  // Hash what was written, not the schema's output, so unknown keys added by an editor are detected.
  return { entry: raw as AuditEntry };
}

// Sorted keys at every level: the hash depends on content only, not on key order.
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function splitLines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

const LOCK_STALE_MS = 10_000;
const LOCK_WAIT_MS = 5_000;

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

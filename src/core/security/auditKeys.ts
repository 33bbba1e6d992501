import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../common/atomicFile';
import { realpathNearest } from '../common/containedPath';
import { userConfigDir } from '../common/userConfigDir';

// The audit trail's key and anchors live outside the workspace, so a repository (or someone editing its files)
// can neither recompute the chain nor hide a truncation. The CLI keeps the keyring in a 0600 file in the user's
// config folder, CI passes it in CLAUDE_PM_AUDIT_KEY, the editor keeps it in its secret storage.

export const AUDIT_KEY_ENV = 'CLAUDE_PM_AUDIT_KEY';
const KEYRING_FILE = 'audit-keys.json';
const ANCHOR_DIR = 'audit-anchors';
const MIN_KEY_BYTES = 32;

/** Every key ever used on this machine, by id; `current` signs new entries, the others verify older ones. */
export interface AuditKeyring {
  current: string;
  keys: ReadonlyMap<string, Buffer>;
}

/** The last entry written to one audit log, kept beside the key: a log that ends earlier was truncated. */
export interface AuditAnchor {
  seq: number;
  hash: string;
  updated: string;
}

/** Where the keyring text is kept (a file, the editor's secret storage, an environment variable). */
export interface KeyringStorage {
  /** Where the key lives, in words, for messages. */
  readonly where: string;
  /** Set when new keys cannot be stored here (an environment variable): the text says what to do instead. */
  readonly readOnly?: string;
  read(): Promise<string | undefined>;
  write(text: string): Promise<void>;
}

/** The audit log's trust anchor: its keys and the last entry of each log. */
export interface AuditTrust {
  readonly where: string;
  /** The keyring; with `create`, a first key is made when there is none. */
  keyring(create: boolean): Promise<AuditKeyring | undefined>;
  /** Makes a new current key, keeping the old ones for verifying history. */
  rotate(): Promise<{ previous?: string; current: string }>;
  readAnchor(logFile: string): Promise<AuditAnchor | undefined>;
  writeAnchor(logFile: string, anchor: AuditAnchor): Promise<void>;
}

const keyringSchema = z.object({
  current: z.string().regex(/^[0-9a-f]{16}$/),
  keys: z.array(z.object({ id: z.string().regex(/^[0-9a-f]{16}$/), key: z.string().min(1), created: z.string() })).min(1),
});
type KeyringFile = z.infer<typeof keyringSchema>;

const anchorSchema = z.object({ log: z.string(), seq: z.number().int().min(0), hash: z.string().regex(/^[0-9a-f]{64}$/), updated: z.string() });

/** A key's public name: the first 16 hex digits of its SHA-256, written into every entry it signs. */
export function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** The keyring from the environment (CI): CLAUDE_PM_AUDIT_KEY holds the current key, then older ones, comma-separated. */
export function envKeyringStorage(value: string): KeyringStorage {
  const keys = value.split(',').map((k) => k.trim()).filter(Boolean).map(decodeKey);
  const text = JSON.stringify(toFile(keys.map((key) => ({ key, created: '' }))));
  return {
    where: `the ${AUDIT_KEY_ENV} environment variable`,
    readOnly: `the audit key comes from ${AUDIT_KEY_ENV}: put a new key (e.g. from 'openssl rand -hex 32') first in the variable, followed by the old ones`,
    read: async () => text,
    write: async () => undefined,
  };
}

/** The keyring in a private file (mode 0600) of the user's config folder. */
export function fileKeyringStorage(dir: string): KeyringStorage {
  const file = join(dir, KEYRING_FILE);
  return {
    where: file,
    read: () => readOptional(file),
    write: (text) => writeJsonAtomic(file, JSON.parse(text), { mode: 0o600 }),
  };
}

/**
 * Two copies of one user's keyring (the editor's secret storage and the CLI's key file) as one: every key of
 * either, and as current the newer of the two current keys, so a rotation on either side wins everywhere.
 */
export function mergeKeyrings(a: string | undefined, b: string | undefined, where: string): string | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  const [left, right] = [parseKeyring(a, where), parseKeyring(b, where)];
  const keys = new Map([...left.keys, ...right.keys].map((k) => [k.id, k] as const));
  const createdOf = (file: KeyringFile) => file.keys.find((k) => k.id === file.current)?.created ?? '';
  const current = createdOf(right) > createdOf(left) ? right.current : left.current;
  return JSON.stringify({ current, keys: [...keys.values()] } satisfies KeyringFile);
}

/** The trust of the CLI and of tests: the environment's key when set, else the key file; anchors in the config folder. */
export function userAuditTrust(env: NodeJS.ProcessEnv = process.env, storage?: KeyringStorage): AuditTrust {
  const dir = userConfigDir(env);
  const fromEnv = env[AUDIT_KEY_ENV]?.trim();
  return createAuditTrust(storage ?? (fromEnv ? envKeyringStorage(fromEnv) : fileKeyringStorage(dir)), join(dir, ANCHOR_DIR));
}

/** An AuditTrust over any keyring storage, with anchors as small files in `anchorDir`. */
export function createAuditTrust(storage: KeyringStorage, anchorDir: string): AuditTrust {
  const load = async (): Promise<KeyringFile | undefined> => {
    const text = await storage.read();
    return text === undefined ? undefined : parseKeyring(text, storage.where);
  };
  const anchorFile = async (logFile: string) => join(anchorDir, `${createHash('sha256').update(await anchoredTrail(logFile)).digest('hex').slice(0, 32)}.json`);
  return {
    where: storage.where,
    async keyring(create) {
      let file = await load();
      if (!file && create && !storage.readOnly) {
        file = toFile([{ key: randomBytes(32), created: new Date().toISOString() }]);
        await storage.write(JSON.stringify(file));
      }
      return file && fromFile(file);
    },
    async rotate() {
      if (storage.readOnly) throw new Error(storage.readOnly);
      const file = await load();
      const key = randomBytes(32);
      const next: KeyringFile = { current: keyId(key), keys: [...(file?.keys ?? []), { id: keyId(key), key: key.toString('base64'), created: new Date().toISOString() }] };
      await storage.write(JSON.stringify(next));
      return { ...(file ? { previous: file.current } : {}), current: next.current };
    },
    async readAnchor(logFile) {
      const text = await readOptional(await anchorFile(logFile));
      if (text === undefined) return undefined;
      const parsed = anchorSchema.safeParse(safeJson(text));
      if (!parsed.success) throw new Error(`the audit anchor ${await anchorFile(logFile)} is damaged; it records where ${logFile} must end`);
      return { seq: parsed.data.seq, hash: parsed.data.hash, updated: parsed.data.updated };
    },
    async writeAnchor(logFile, anchor) {
      // Rewritten after every append: atomic, but not worth an fsync each time.
      await writeJsonAtomic(await anchorFile(logFile), { log: await anchoredTrail(logFile), ...anchor }, { mode: 0o600, durable: false });
    },
  };
}

// A trail is a log file (anchored by its real path) or a team database's audit table (`postgres://host:port/db`).
async function anchoredTrail(trail: string): Promise<string> {
  return /^postgres(ql)?:\/\//.test(trail) ? trail : realpathNearest(trail);
}

function parseKeyring(text: string, where: string): KeyringFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`the audit keyring in ${where} is not valid JSON; restore it from a backup (entries it sealed cannot be verified without it)`);
  }
  const parsed = keyringSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`the audit keyring in ${where} is damaged (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`);
  return parsed.data;
}

function toFile(keys: { key: Buffer; created: string }[]): KeyringFile {
  const entries = keys.map(({ key, created }) => ({ id: keyId(key), key: key.toString('base64'), created }));
  return { current: entries[0]!.id, keys: entries };
}

function fromFile(file: KeyringFile): AuditKeyring {
  const keys = new Map(file.keys.map((k) => [k.id, Buffer.from(k.key, 'base64')] as const));
  if (!keys.has(file.current)) throw new Error(`the audit keyring names current key ${file.current} but does not hold it`);
  return { current: file.current, keys };
}

// A key given as 64 hex digits or as base64 of at least 32 bytes.
function decodeKey(text: string): Buffer {
  const key = /^[0-9a-fA-F]+$/.test(text) && text.length % 2 === 0 ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length < MIN_KEY_BYTES) throw new Error(`${AUDIT_KEY_ENV} must hold keys of at least ${MIN_KEY_BYTES} bytes (64 hex digits); generate one with 'openssl rand -hex 32'`);
  return key;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A file's text, or undefined when it does not exist. */
export async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

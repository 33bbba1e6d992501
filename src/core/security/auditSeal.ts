import { createHmac, timingSafeEqual } from 'node:crypto';

// How an audit entry is sealed and chained, shared by the workspace's audit log and the team database's audit
// table: an HMAC-SHA-256 under the audit key over the entry's canonical JSON (every field but the seal), each entry
// naming the seal of the one before it.

/** The previous seal of the first entry. */
export const GENESIS = '0'.repeat(64);

/** An entry's place in its chain: its sequence number and its seal. */
export interface ChainLink {
  seq: number;
  hash: string;
}

export const CHAIN_START: ChainLink = { seq: 0, hash: GENESIS };

/** What a seal covers: the entry without its seal. */
type Sealable = { seq: number; prev: string; hash?: string } & Record<string, unknown>;

/** The entry's seal under `key`. */
export function seal(entry: Sealable, key: Buffer): string {
  const { hash: _hash, ...content } = entry;
  return createHmac('sha256', key).update(canonicalJson(content)).digest('hex');
}

/** The entry with its seal added. */
export function sealEntry<T extends Sealable>(unsealed: T, key: Buffer): T & { hash: string } {
  return { ...unsealed, hash: seal(unsealed, key) };
}

/** Whether the entry's seal is the one `key` gives its content (in constant time). */
export function sealMatches(entry: Sealable & { hash: string }, key: Buffer): boolean {
  const expected = Buffer.from(seal(entry, key), 'hex');
  const actual = Buffer.from(entry.hash, 'hex');
  return actual.length === expected.length && timingSafeEqual(expected, actual);
}

/**
 * Why `entry` does not continue the chain after `expected`, or undefined when it does. `unit` names the entries
 * ("line" in a log file, "row" in a table).
 */
export function chainBreak(expected: ChainLink, entry: { seq: number; prev: string }, unit: 'line' | 'row'): string | undefined {
  if (entry.prev === expected.hash && entry.seq === expected.seq + 1) return undefined;
  const noun = unit === 'line' ? 'entry' : 'row';
  if (entry.seq > expected.seq + 1 && entry.prev !== expected.hash) {
    const missing = entry.seq - 1 > expected.seq + 1 ? `${noun === 'entry' ? 'entries' : 'rows'} ${expected.seq + 1}–${entry.seq - 1} are` : `${noun} ${expected.seq + 1} is`;
    return `${missing} missing before this ${unit} (removed, or the ${unit === 'line' ? 'log' : 'table'} was truncated)`;
  }
  return `the chain is broken before this ${unit}: expected ${noun} ${expected.seq + 1} linked to the one before it, found ${noun} ${entry.seq}${entry.prev === expected.hash ? '' : ' linked elsewhere'} (a ${unit} was removed, inserted or reordered)`;
}

// Sorted keys at every level: the seal depends on content only, not on key order.
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

import { randomBytes } from 'node:crypto';

// API keys as the framework's security CLI makes and checks them (formats.md §6).

/** The services whose keys the extension keeps in SecretStorage. */
export const API_KEY_SERVICES = ['mem0', 'mem0-platform', 'anthropic'] as const;
export type ApiKeyService = (typeof API_KEY_SERVICES)[number];

/** The SecretStorage name of a service's key, shared by every area that reads keys in the extension. */
export function secretStorageKey(service: ApiKeyService): string {
  return `claudePm.apiKey.${service}`;
}

/** 48 random bytes in base64url: 64 characters of `[A-Za-z0-9_-]`, as `secrets.token_urlsafe(48)`. */
const KEY_BYTES = 48;
export const MIN_KEY_LENGTH = 32;
const WEAK_WORDS = ['test', 'demo', 'example', 'password', '123456'] as const;
const PLACEHOLDERS = ['REPLACE_WITH_', 'your_', 'example_'] as const;
const MIN_DISTINCT_CHARACTERS = 8;

export interface KeyValidationContext {
  environment: 'development' | 'testing' | 'production';
  /** Whether the service is reached over TLS; only production requires it. */
  useTls?: boolean;
  /** Whether the TLS certificate is verified; only production requires it. */
  verifyTls?: boolean;
}

export interface KeyValidation {
  valid: boolean;
  /** One sentence per broken rule, never containing the key itself. */
  problems: string[];
}

/**
 * A new key that passes the production rules. A random key can by chance contain a weak word such as
 * "test" (about 3 in 10,000), so those are drawn again rather than handed out and rejected later.
 */
export function generateApiKey(): string {
  for (;;) {
    const key = randomBytes(KEY_BYTES).toString('base64url');
    if (keyProblems(key, 'production').length === 0) return key;
  }
}

/** Checks a key and, in production, the transport it is sent over. */
export function validateApiKey(key: string, context: KeyValidationContext): KeyValidation {
  const problems = [...keyProblems(key, context.environment), ...transportProblems(context)];
  return { valid: problems.length === 0, problems };
}

/** Production sends keys only over TLS with a verified certificate. */
export function transportProblems(context: KeyValidationContext): string[] {
  if (context.environment !== 'production') return [];
  const problems: string[] = [];
  if (context.useTls === false) problems.push('production requires TLS (https) to the memory service');
  if (context.verifyTls === false) problems.push('production requires TLS certificate verification (MEM0AI_VERIFY_SSL=true)');
  return problems;
}

function keyProblems(key: string, environment: KeyValidationContext['environment']): string[] {
  const problems: string[] = [];
  if (key.length < MIN_KEY_LENGTH) problems.push(`the key has ${key.length} characters; at least ${MIN_KEY_LENGTH} are required`);
  const lower = key.toLowerCase();
  const weak = WEAK_WORDS.filter((word) => lower.includes(word));
  if (weak.length) problems.push(`the key contains the weak pattern ${weak.map((w) => `"${w}"`).join(', ')}`);
  if (environment === 'production') {
    const placeholder = PLACEHOLDERS.find((p) => lower.includes(p.toLowerCase()));
    if (placeholder) problems.push(`the key looks like a placeholder ("${placeholder}…"); generate a real one`);
    const distinct = new Set(key).size;
    if (distinct < MIN_DISTINCT_CHARACTERS) problems.push(`the key uses only ${distinct} distinct characters; production needs at least ${MIN_DISTINCT_CHARACTERS}`);
  }
  return problems;
}

/** The displayable form `abcd...wxyz`; short values are hidden entirely since their ends would reveal too much. */
export function maskKey(key: string): string {
  if (key.length < 12) return '****';
  return `${key.slice(0, 4)}...${key.slice(-4)}`;
}

// The one redaction step every logger, report and error path goes through.
// It masks anything that looks like a secret: known key prefixes, bearer/token headers,
// `key=value` pairs whose name says secret, and long high-entropy base64url runs.

const MASK = '***';

const PATTERNS: RegExp[] = [
  // The password of a URL's user information, e.g. a database connection string `postgres://user:secret@host/db`.
  /(?<=\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:)[^\s/@]+(?=@)/gi,
  // Provider keys with a recognisable prefix (Anthropic, OpenAI, mem0, GitHub, Slack, AWS).
  /\b(?:sk-ant-[A-Za-z0-9_-]{8,}|sk-[A-Za-z0-9_-]{16,}|m0-[A-Za-z0-9_-]{16,}|gh[pousr]_[A-Za-z0-9]{20,}|xox[abpr]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16})/g,
];

// Header or assignment forms: `Authorization: Token abc`, `X-API-Key: abc`, `api_key=abc`, `"apiKey": "abc"`.
const NAMED_SECRET =
  /((?:authorization|x-api-key|api[_-]?key|apikey|access[_-]?token|auth[_-]?token|secret|password|passwd|token)["']?\s*[:=]\s*["']?(?:(?:bearer|token|basic)\s+)?)([^\s"',;}]{4,})/gi;

// A 32+ character run of base64url is almost always a key (our generated keys are 64), wherever it sits:
// after a slash in a URL, before a dot, inside quotes. The lookbehind only makes the scan start at run boundaries.
const LONG_TOKEN = /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{32,}/g;

// Credentials inside a URL: `https://user:password@host/` and `https://token@host/` keep the host, lose the rest.
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi;

/** Returns `text` with every secret-looking substring replaced; `known` secrets are always masked. */
export function redact(text: string, known: readonly string[] = []): string {
  let out = text;
  for (const secret of known) {
    if (secret.length >= 4) out = out.split(secret).join(MASK);
  }
  out = out.replace(URL_CREDENTIALS, `$1${MASK}@`);
  for (const pattern of PATTERNS) out = out.replace(pattern, MASK);
  out = out.replace(NAMED_SECRET, (_m, name: string) => `${name}${MASK}`);
  out = out.replace(LONG_TOKEN, (run) => (looksLikeKey(run) ? MASK : run));
  return out;
}

/** Redacts every string inside a JSON-like value, keeping its shape. */
export function redactValue<T>(value: T, known: readonly string[] = []): T {
  if (typeof value === 'string') return redact(value, known) as T;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, known)) as T;
  if (value && typeof value === 'object') {
    // fromEntries keeps a `__proto__` key as data, where assigning it would replace the copy's prototype.
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY_NAME.test(k) && typeof v === 'string' && v.length > 0 ? MASK : redactValue(v, known)])) as T;
  }
  return value;
}

const SECRET_KEY_NAME = /^(?:api[_-]?key|apikey|authorization|x-api-key|password|secret|token|access[_-]?token)$/i;

// A run id (`20260124-093000-deploy-production-1a2b3c4d`: time, workflow or agent, random part) names a file in
// logs and messages; with a long workflow name it is as long as a key.
const RUN_ID = /^\d{8}-\d{6}-[a-z0-9]+(?:-[a-z0-9]+)*-[0-9a-f]{4,8}$/;

// Random keys mix upper and lower case; long names (kebab-case folders, hex commit ids and UUIDs, which are
// useful in logs and never secret) rarely do. Lower-case runs count when they mix letters and digits like a token.
function looksLikeKey(run: string): boolean {
  if (/^[0-9a-f-]+$/i.test(run) || RUN_ID.test(run)) return false;
  if (/[a-z]/.test(run) && /[A-Z]/.test(run)) return true;
  const digits = run.replace(/[^0-9]/g, '').length;
  return digits >= 4 && /[A-Za-z]/.test(run);
}

// Environment variables whose name says they hold a credential (MEM0AI_API_KEY, GITHUB_TOKEN, PGPASSWORD…).
const SECRET_ENV_NAME = /(?:^|_)(?:API_?KEY|KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)(?:_|$)/i;

/**
 * The key values of an environment, to mask wherever they appear, whatever they look like: a step that prints
 * its environment must not leave a short or low-entropy key in a run log that the patterns would miss.
 */
export function knownSecrets(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env)
    .filter(([name, value]) => SECRET_ENV_NAME.test(name) && value !== undefined && value.length >= 6)
    .map(([, value]) => value!)
    .sort((a, b) => b.length - a.length);
}

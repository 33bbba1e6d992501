import type * as vscode from 'vscode';
import { secretStorageKey, type ApiKeyService } from '../../core/security/apiKeys';
import { KEY_ENV_VARIABLES } from '../../core/security/validateSecurity';
import { isMem0Backend, type MemoryBackendKind } from '../../core/config/schema';
import { databaseUrlFrom } from '../../core/database/connection';
import { WEBHOOK_SECRET_ENV } from '../../core/events/eventListener';

const DATABASE_URL_SECRET = 'claudePm.databaseUrl';

/** The environment variable each service's key falls back to: the same names the CLI reads. */
const WEBHOOK_SECRET_STORAGE_KEY = 'claudePm.events.webhookSecret';

const ENV_FALLBACK: Readonly<Record<ApiKeyService, string>> = { ...KEY_ENV_VARIABLES, anthropic: 'ANTHROPIC_API_KEY' };

/** What the user answered when a key would go to another origin than the one it was set for. */
export type OriginAnswer = 'once' | 'always' | undefined;
export type ConfirmKeyOrigin = (service: ApiKeyService, boundTo: string | undefined, target: string) => Promise<OriginAnswer>;

const originOf = (url: string): string | undefined => {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
};

/**
 * The one way the extension reads and writes API keys: the editor's secret storage first, then the
 * service's environment variable (as the CLI does). Keys never pass through settings, logs or messages.
 */
export class ApiKeys {
  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly env: NodeJS.ProcessEnv = process.env,
    /** False in Restricted Mode: the folder's config may point the service anywhere, so no key goes out. */
    private readonly trusted: () => boolean = () => true,
    /** Asks before a stored key goes to an origin it was not set for; the default refuses. */
    private readonly confirmOrigin: ConfirmKeyOrigin = async () => undefined,
  ) {}

  /** The key of `service`, from secret storage or else the environment. */
  async get(service: ApiKeyService): Promise<string | undefined> {
    return (await this.stored(service)) ?? (this.env[ENV_FALLBACK[service]] || undefined);
  }

  /**
   * The key to send to a memory backend at `url`: none for the embedded store, the team database or in Restricted Mode. A stored key
   * is bound to the origin the user set it for; the folder's configuration (a repository's `memory_service.url`)
   * does not decide where it goes, so another origin needs the user's yes first.
   */
  async forBackend(backend: MemoryBackendKind, url: string): Promise<string | undefined> {
    if (!isMem0Backend(backend) || !this.trusted()) return undefined;
    const stored = await this.stored(backend);
    if (stored === undefined) return this.env[ENV_FALLBACK[backend]] || undefined;
    const target = originOf(url);
    if (target === undefined) return undefined;
    const boundTo = await this.secrets.get(originStorageKey(backend));
    if (boundTo === target) return stored;
    const answer = await this.confirmOrigin(backend, boundTo, target);
    if (answer === 'always') await this.secrets.store(originStorageKey(backend), target);
    return answer ? stored : undefined;
  }

  /** The team database's connection string (it carries credentials): secret storage first, then CLAUDE_PM_DATABASE_URL as the CLI reads it; none in Restricted Mode. */
  async databaseUrl(): Promise<string | undefined> {
    if (!this.trusted()) return undefined;
    return databaseUrlFrom(this.env, await this.secrets.get(DATABASE_URL_SECRET));
  }

  storeDatabaseUrl(url: string): Thenable<void> {
    return this.secrets.store(DATABASE_URL_SECRET, url);
  }

  /** Only what secret storage holds (the environment is not the editor's to change). */
  stored(service: ApiKeyService): Thenable<string | undefined> {
    return this.secrets.get(secretStorageKey(service));
  }

  /** Stores a key, bound to the origin of `forUrl` (the service it is set for) when given. */
  async store(service: ApiKeyService, key: string, forUrl?: string): Promise<void> {
    await this.secrets.store(secretStorageKey(service), key);
    const origin = forUrl === undefined ? undefined : originOf(forUrl);
    await (origin ? this.secrets.store(originStorageKey(service), origin) : this.secrets.delete(originStorageKey(service)));
  }

  async delete(service: ApiKeyService): Promise<void> {
    await this.secrets.delete(secretStorageKey(service));
    await this.secrets.delete(originStorageKey(service));
  }

  /**
   * The event listener's webhook secret: secret storage, else CLAUDE_PM_WEBHOOK_SECRET as the CLI reads it.
   * None in Restricted Mode, where the listener does not start.
   */
  async webhookSecret(): Promise<string | undefined> {
    if (!this.trusted()) return undefined;
    return (await this.secrets.get(WEBHOOK_SECRET_STORAGE_KEY)) ?? (this.env[WEBHOOK_SECRET_ENV] || undefined);
  }

  storeWebhookSecret(secret: string): Thenable<void> {
    return this.secrets.store(WEBHOOK_SECRET_STORAGE_KEY, secret);
  }

  /** Fires when a key changes, in this window or another. */
  onDidChange(listener: () => void): vscode.Disposable {
    return this.secrets.onDidChange(listener);
  }
}

function originStorageKey(service: ApiKeyService): string {
  return `${secretStorageKey(service)}.origin`;
}

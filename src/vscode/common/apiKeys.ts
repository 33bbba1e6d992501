import type * as vscode from 'vscode';
import { secretStorageKey, type ApiKeyService } from '../../core/security/apiKeys';
import { KEY_ENV_VARIABLES } from '../../core/security/validateSecurity';
import type { MemoryBackendKind } from '../../core/config/schema';
import { WEBHOOK_SECRET_ENV } from '../../core/events/eventListener';

/** The environment variable each service's key falls back to: the same names the CLI reads. */
const WEBHOOK_SECRET_STORAGE_KEY = 'claudePm.events.webhookSecret';

const ENV_FALLBACK: Readonly<Record<ApiKeyService, string>> = { ...KEY_ENV_VARIABLES, anthropic: 'ANTHROPIC_API_KEY' };

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
  ) {}

  /** The key of `service`, from secret storage or else the environment. */
  async get(service: ApiKeyService): Promise<string | undefined> {
    return (await this.stored(service)) ?? (this.env[ENV_FALLBACK[service]] || undefined);
  }

  /** The key of a memory backend; the embedded store needs none, and no backend gets one in Restricted Mode. */
  forBackend(backend: MemoryBackendKind): Promise<string | undefined> {
    return backend === 'embedded' || !this.trusted() ? Promise.resolve(undefined) : this.get(backend);
  }

  /** Only what secret storage holds (the environment is not the editor's to change). */
  stored(service: ApiKeyService): Thenable<string | undefined> {
    return this.secrets.get(secretStorageKey(service));
  }

  store(service: ApiKeyService, key: string): Thenable<void> {
    return this.secrets.store(secretStorageKey(service), key);
  }

  delete(service: ApiKeyService): Thenable<void> {
    return this.secrets.delete(secretStorageKey(service));
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

import * as vscode from 'vscode';
import { describeDatabaseUrl, poolConfig } from '../../core/database/connection';
import { API_KEY_SERVICES, generateApiKey, maskKey, validateApiKey, type ApiKeyService } from '../../core/security/apiKeys';
import type { FeatureContext } from '../featureContext';
import { recordSecurityEvent } from './securityEvents';
import { memoryServiceUrl } from '../../core/security/testAuth';

// Keys live only in SecretStorage: never in settings, the log, a notification's text or a webview message.

async function pickService(features: FeatureContext, placeHolder: string, onlyStored = false): Promise<ApiKeyService | undefined> {
  const stored = await Promise.all(API_KEY_SERVICES.map(async (service) => [service, (await features.keys.stored(service)) !== undefined] as const));
  const items = stored
    .filter(([, has]) => !onlyStored || has)
    .map(([service, has]) => ({ label: service, description: has ? vscode.l10n.t('key stored') : vscode.l10n.t('no key'), service }));
  if (items.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No API keys are stored.'));
    return undefined;
  }
  return (await vscode.window.showQuickPick(items, { placeHolder }))?.service;
}

/** The address a memory key is set for: the memory service of the folder in question. Keys go only there. */
async function serviceUrl(features: FeatureContext, service: ApiKeyService): Promise<string | undefined> {
  if (service !== 'mem0' && service !== 'mem0-platform') return undefined;
  const folder = await features.sessions.resolveFolder(undefined, vscode.l10n.t('Set the key for the memory service of which folder?'));
  if (!folder) return undefined;
  const { config } = await features.sessions.get(folder);
  return memoryServiceUrl({ ...config, memory: { ...config.memory, backend: service } }, process.env);
}

/** Generates a key, stores it and offers it once for copying; the notification shows only its masked form. */
export async function generateKeyCommand(features: FeatureContext): Promise<void> {
  const service = await pickService(features, vscode.l10n.t('Generate a new API key for which service?'));
  if (!service) return;
  const replaced = (await features.keys.stored(service)) !== undefined;
  if (replaced) {
    const replace = vscode.l10n.t('Replace Key');
    const answer = await vscode.window.showWarningMessage(vscode.l10n.t('A key for {0} is already stored. Replace it with a new one?', service), { modal: true }, replace);
    if (answer !== replace) return;
  }
  const key = generateApiKey();
  await features.keys.store(service, key, await serviceUrl(features, service));
  await recordSecurityEvent(features, { event: 'key_rotation', action: 'generate API key', target: service, details: { service, replaced, key: maskKey(key) } });
  const copy = vscode.l10n.t('Copy Key');
  const choice = await vscode.window.showInformationMessage(
    vscode.l10n.t('A new API key for {0} ({1}) is stored in the editor\'s secret storage. Copy it now to configure the service: it is not shown again.', service, maskKey(key)),
    copy,
  );
  if (choice === copy) await vscode.env.clipboard.writeText(key);
}

export async function setApiKeyCommand(features: FeatureContext): Promise<void> {
  const service = await pickService(features, vscode.l10n.t('Set the API key of which service?'));
  if (!service) return;
  const key = await vscode.window.showInputBox({
    title: vscode.l10n.t('API key for {0}', service),
    prompt: vscode.l10n.t('Stored in the editor\'s secret storage, never in settings or files.'),
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) => inputProblem(service, value),
  });
  if (!key) return;
  const replaced = (await features.keys.stored(service)) !== undefined;
  await features.keys.store(service, key.trim(), await serviceUrl(features, service));
  await recordSecurityEvent(features, { event: 'key_rotation', action: 'set API key', target: service, details: { service, replaced, key: maskKey(key.trim()) } });
  void vscode.window.showInformationMessage(vscode.l10n.t('The API key for {0} is stored ({1}).', service, maskKey(key.trim())));
}

export async function clearApiKeyCommand(features: FeatureContext): Promise<void> {
  const service = await pickService(features, vscode.l10n.t('Clear the API key of which service?'), true);
  if (!service) return;
  const clear = vscode.l10n.t('Clear Key');
  const answer = await vscode.window.showWarningMessage(vscode.l10n.t('Remove the stored API key for {0}? Features using it stop authenticating.', service), { modal: true }, clear);
  if (answer !== clear) return;
  await features.keys.delete(service);
  await recordSecurityEvent(features, { event: 'config_change', action: 'clear API key', target: service, details: { service } });
  void vscode.window.showInformationMessage(vscode.l10n.t('The API key for {0} was removed.', service));
}

// mem0 keys follow the framework's rules; Anthropic keys are issued by Anthropic, so only their form is checked.
function inputProblem(service: ApiKeyService, value: string): string | undefined {
  const key = value.trim();
  if (!key) return vscode.l10n.t('Enter the key.');
  if (/\s/.test(key)) return vscode.l10n.t('A key contains no spaces.');
  if (service === 'anthropic') return undefined;
  const { problems } = validateApiKey(key, { environment: 'development' });
  return problems.length ? problems.join('; ') : undefined;
}

/** The team database's connection string: secret storage only (it carries a password), checked before it is kept. */
export async function setDatabaseUrlCommand(features: FeatureContext): Promise<void> {
  const url = await vscode.window.showInputBox({
    title: vscode.l10n.t('Team database URL'),
    prompt: vscode.l10n.t('postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=verify-full — stored in the editor\'s secret storage, never in settings or files.'),
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) => {
      try {
        poolConfig(value.trim());
        return undefined;
      } catch (error) {
        return (error as Error).message;
      }
    },
  });
  if (!url) return;
  await features.keys.storeDatabaseUrl(url.trim());
  await recordSecurityEvent(features, { event: 'config_change', action: 'set database URL', target: describeDatabaseUrl(url.trim()) });
  void vscode.window.showInformationMessage(
    vscode.l10n.t('The team database URL is stored ({0}). Run "claude-pm db status" to check the schema; memory connects with it from the next window reload.', describeDatabaseUrl(url.trim())),
  );
}

import * as vscode from 'vscode';
import { CountsHub, requireWorkspaceTrust, type FeatureContext } from './featureContext';
import { registerHealth } from './health/registerHealth';
import { createChannelLogger } from './logging';
import { registerMemory } from './memory/registerMemory';
import { registerOrchestration } from './orchestration/registerOrchestration';
import { createAuthorization } from './security/authorization';
import { registerSecurity } from './security/registerSecurity';
import { registerTemplates } from './templates/registerTemplates';
import { registerTickets } from './tickets/registerTickets';
import { WorkspaceConfigs } from './workspaceConfig';

/** What `activate` returns: used by the end-to-end tests and other extensions. */
export interface ClaudePmApi {
  readonly activationMs: number;
}

// The composition root: builds every service explicitly and registers each feature. Nothing here may do
// I/O or heavy work: features load their data lazily, when a view is first shown or a command runs.
export function activate(context: vscode.ExtensionContext): ClaudePmApi {
  const started = performance.now();
  const channel = vscode.window.createOutputChannel('Claude PM', { log: true });
  const logger = createChannelLogger(channel);
  const problems = vscode.languages.createDiagnosticCollection('claudePm.config');
  const configs = new WorkspaceConfigs(logger, problems);
  const counts = new CountsHub();
  context.subscriptions.push(channel, problems, configs, counts);

  const features: FeatureContext = {
    extension: context,
    logger,
    configs,
    counts,
    requireTrust: requireWorkspaceTrust,
    authorize: createAuthorization(configs, logger, () => configs.folders()[0]),
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('claudePm.showLog', () => channel.show()),
    vscode.commands.registerCommand('claudePm.openSettings', () => vscode.commands.executeCommand('workbench.action.openSettings', '@ext:claude-pm.claude-pm-vscode')),
  );
  registerOrchestration(features);
  registerTickets(features);
  registerMemory(features);
  registerTemplates(features);
  registerSecurity(features);
  registerHealth(features);

  const activationMs = performance.now() - started;
  logger.debug(`activated in ${activationMs.toFixed(2)} ms`);
  return { activationMs };
}

export function deactivate(): void {}

import * as vscode from 'vscode';
import type { ToolServerCommand } from '../core/agents/toolServer';
import { CountsHub, requireWorkspaceTrust, type FeatureContext } from './featureContext';
import { registerDashboard } from './dashboard/registerDashboard';
import { registerEvents } from './events/registerEvents';
import { registerHealth } from './health/registerHealth';
import { createChannelLogger } from './logging';
import { registerMemory } from './memory/registerMemory';
import { registerOrchestration } from './orchestration/registerOrchestration';
import { useEditorAuditTrust } from './security/auditTrust';
import { createAuthorization } from './security/authorization';
import { registerSecurity } from './security/registerSecurity';
import { registerTemplates } from './templates/registerTemplates';
import { registerTickets } from './tickets/registerTickets';
import { ApiKeys, type OriginAnswer } from './common/apiKeys';
import { FolderSessions } from './common/folderSession';
import { closeProcessGate, openProcessGate } from '../core/common/processGate';
import { treeProviders, type TreeProviders } from './common/treeViews';

/** What `activate` returns: used by the end-to-end tests and other extensions. */
export interface ClaudePmApi {
  readonly activationMs: number;
  /** CPU time spent in `activate`: unlike wall time, it does not grow when other processes compete for the CPU. */
  readonly activationCpuMs: number;
  /** The Claude PM views and their providers, by view id, for tests that read what a view shows. */
  readonly trees: TreeProviders;
}

// The composition root: builds every service explicitly and registers each feature. Nothing here may do
// I/O or heavy work: features load their data lazily, when a view is first shown or a command runs.
export function activate(context: vscode.ExtensionContext): ClaudePmApi {
  const started = performance.now();
  const startedCpu = process.cpuUsage();
  // First of all: in Restricted Mode no git, agent or workflow process may start, whichever feature asks.
  if (!vscode.workspace.isTrusted) {
    closeProcessGate(vscode.l10n.t('the workspace is in Restricted Mode. Trust it to allow git, agents and workflows.'));
    context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(openProcessGate));
  }
  const channel = vscode.window.createOutputChannel('Claude PM', { log: true });
  const logger = createChannelLogger(channel);
  const problems = vscode.languages.createDiagnosticCollection('claudePm.config');
  const keys = new ApiKeys(context.secrets, process.env, () => vscode.workspace.isTrusted, confirmKeyOrigin);
  useEditorAuditTrust(context.secrets);
  const sessions = new FolderSessions({ logger: (level) => createChannelLogger(channel, level), keys, problems, toolServer: bundledToolServer(context) });
  const counts = new CountsHub();
  context.subscriptions.push(channel, problems, sessions, counts);

  const features: FeatureContext = {
    extension: context,
    logger,
    sessions,
    keys,
    counts,
    requireTrust: requireWorkspaceTrust,
    authorize: createAuthorization(sessions, logger),
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('claudePm.showLog', () => channel.show()),
    vscode.commands.registerCommand('claudePm.openSettings', () => vscode.commands.executeCommand('workbench.action.openSettings', '@ext:claude-pm.claude-pm-vscode')),
  );
  // Each feature's share of activation is logged so a slow one is easy to find.
  const shares: string[] = [];
  const timed = <T>(name: string, register: (f: FeatureContext) => T): T => {
    const t0 = performance.now();
    const feature = register(features);
    shares.push(`${name} ${(performance.now() - t0).toFixed(1)}`);
    return feature;
  };
  const orchestration = timed('orchestration', registerOrchestration);
  timed('tickets', registerTickets);
  const memory = timed('memory', registerMemory);
  const templates = timed('templates', registerTemplates);
  timed('security', registerSecurity);
  const health = timed('health', (f) => registerHealth(f, templates, memory));
  timed('dashboard', (f) => registerDashboard(f, health, orchestration));
  timed('events', (f) => registerEvents(f, orchestration.runs));

  const activationMs = performance.now() - started;
  const cpu = process.cpuUsage(startedCpu);
  const activationCpuMs = (cpu.user + cpu.system) / 1000;
  logger.debug(`activated in ${activationMs.toFixed(2)} ms, cpu ${activationCpuMs.toFixed(2)} ms (${shares.join(', ')} ms)`);
  return { activationMs, activationCpuMs, trees: treeProviders() };
}

export function deactivate(): void {}

/** The bundled CLI's `claude-pm mcp`, run by the editor's own Node runtime. */
function bundledToolServer(context: vscode.ExtensionContext): ToolServerCommand {
  return { command: process.execPath, args: [vscode.Uri.joinPath(context.extensionUri, 'dist', 'cli.js').fsPath], env: { ELECTRON_RUN_AS_NODE: '1' } };
}

// A folder's configuration names where its memory service is; a stored key goes elsewhere only if the user says so.
async function confirmKeyOrigin(service: string, boundTo: string | undefined, target: string): Promise<OriginAnswer> {
  const once = vscode.l10n.t('Send Once');
  const always = vscode.l10n.t('Always Send There');
  const answer = await vscode.window.showWarningMessage(
    boundTo ? vscode.l10n.t('Send your {0} API key to {1}? You set it for {2}.', service, target, boundTo) : vscode.l10n.t('Send your {0} API key to {1}?', service, target),
    { modal: true, detail: vscode.l10n.t("The address comes from this folder's Claude PM configuration. Send the key only to a memory service you run or trust.") },
    once,
    always,
  );
  return answer === once ? 'once' : answer === always ? 'always' : undefined;
}

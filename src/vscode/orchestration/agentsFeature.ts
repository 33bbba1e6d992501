import * as vscode from 'vscode';
import type { AgentCatalog } from '../../core/agents/discoverAgents';
import type { DelegatedRun } from '../../core/agents/delegate';
import type { RunEvent } from '../../core/agents/runner';
import { registerCommand } from '../commands';
import type { FeatureContext } from '../featureContext';
import { AgentsCatalogStore } from './agentsCatalogStore';
import { AgentsTreeProvider, type AgentsNode } from './agentsTree';
import { DelegateCommand, type DelegateArgs } from './delegateCommand';
import { createTree } from '../common/treeViews';

/** What the agents feature offers the rest of the extension (run history, workflows). */
export interface AgentsFeature {
  /** A delegated run started (its record has no result yet). */
  readonly onDidStartRun: vscode.Event<DelegatedRun>;
  /** A live event of a delegated run's agent. */
  readonly onDidRunEvent: vscode.Event<{ run: DelegatedRun; event: RunEvent }>;
  /** A delegated run ended: succeeded, failed, cancelled or timed out; `result` is set. */
  readonly onDidFinishRun: vscode.Event<DelegatedRun>;
  /** The agents of a folder (discovered on first call). */
  catalog(folder: vscode.WorkspaceFolder): Promise<AgentCatalog>;
}

// Counts appear on the dashboard shortly after start-up without costing activation time.
const DEFERRED_LOAD_MS = 3000;

/** The Agents view, its commands (refresh, open definition, delegate) and the agent counts. No I/O here. */
export function registerAgents(features: FeatureContext): AgentsFeature {
  const systemDir = vscode.Uri.joinPath(features.extension.extensionUri, 'resources', 'agents').fsPath;
  const store = new AgentsCatalogStore(systemDir, features.logger);
  const started = new vscode.EventEmitter<DelegatedRun>();
  const finished = new vscode.EventEmitter<DelegatedRun>();
  const events = new vscode.EventEmitter<{ run: DelegatedRun; event: RunEvent }>();
  const delegate = new DelegateCommand(features, store, {
    onStart: (run) => {
      started.fire(run);
      features.counts.notify();
    },
    onEvent: (run, event) => events.fire({ run, event }),
    onFinish: (run) => {
      finished.fire(run);
      features.counts.notify();
    },
  });
  const tree = new AgentsTreeProvider(store, () => features.sessions.folders());
  const deferred = setTimeout(() => {
    for (const folder of features.sessions.folders()) {
      void store.get(folder).then(() => features.counts.notify(), (error: unknown) => features.logger.warn(`agent discovery failed in ${folder.name}:`, error));
    }
  }, DEFERRED_LOAD_MS);

  features.extension.subscriptions.push(
    store,
    delegate,
    tree,
    started,
    finished,
    events,
    new vscode.Disposable(() => clearTimeout(deferred)),
    createTree('claudePm.agents', tree),
    store.onDidChange(() => features.counts.notify()),
    features.sessions.onDidChange(() => store.refresh()),
    features.counts.register('agents', () => {
      const counts = { total: 0, project: 0, user: 0, system: 0, shadowed: 0, problems: 0, running: delegate.runningCount };
      for (const catalog of store.loaded()) {
        counts.total += catalog.agents.length;
        counts.problems += catalog.diagnostics.length;
        for (const agent of catalog.agents) {
          counts[agent.tier]++;
          counts.shadowed += agent.shadows.length;
        }
      }
      return counts;
    }),
  );

  registerCommand(features, 'claudePm.agents.refresh', () => store.refresh());
  registerCommand(features, 'claudePm.agents.openDefinition', (target?: AgentsNode | { filePath: string; line?: number }) => openDefinition(target));
  // The same command under a shorter title for the tree's inline action.
  for (const id of ['claudePm.agents.delegate', 'claudePm.agents.delegateInline']) {
    registerCommand(features, id, (arg?: DelegateArgs) => delegate.run(arg), { permission: 'task.delegate', requiresTrust: vscode.l10n.t('Running an agent') });
  }

  return { onDidStartRun: started.event, onDidRunEvent: events.event, onDidFinishRun: finished.event, catalog: (folder) => store.get(folder) };
}

async function openDefinition(target: AgentsNode | { filePath: string; line?: number } | undefined): Promise<void> {
  const location =
    target && 'kind' in target
      ? target.kind === 'agent'
        ? { filePath: target.agent.filePath }
        : target.kind === 'shadowed'
          ? { filePath: target.definition.filePath }
          : undefined
      : target;
  if (!location) return;
  const line = Math.max(0, ('line' in location && location.line ? location.line : 1) - 1);
  await vscode.window.showTextDocument(vscode.Uri.file(location.filePath), { selection: new vscode.Range(line, 0, line, 0), preview: true });
}

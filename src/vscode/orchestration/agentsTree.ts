import * as vscode from 'vscode';
import { AGENT_TIERS, type AgentDefinition, type AgentTier, type ResolvedAgent } from '../../core/agents/discoverAgents';
import { cliModelFor } from '../../core/agents/agentPrompt';
import type { FileDiagnostic } from '../../core/config/diagnostics';
import { Disposable } from '../common/lifecycle';
import type { AgentsCatalogStore } from './agentsCatalogStore';
import { markdownText } from '../../core/common/markdownText';

export type AgentsNode =
  | { kind: 'folder'; folder: vscode.WorkspaceFolder }
  | { kind: 'tier'; folder: vscode.WorkspaceFolder; tier: AgentTier; agents: ResolvedAgent[] }
  | { kind: 'agent'; folder: vscode.WorkspaceFolder; agent: ResolvedAgent }
  | { kind: 'shadowed'; folder: vscode.WorkspaceFolder; definition: AgentDefinition; winner: ResolvedAgent }
  | { kind: 'problems'; folder: vscode.WorkspaceFolder; diagnostics: FileDiagnostic[] }
  | { kind: 'problem'; diagnostic: FileDiagnostic };

const TIER_LABELS: Record<AgentTier, string> = { project: 'Project', user: 'User', system: 'System' };

/** Agents by tier (project, user, system); an agent that overrides others lists them as children. */
export class AgentsTreeProvider extends Disposable implements vscode.TreeDataProvider<AgentsNode> {
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly store: AgentsCatalogStore,
    private readonly folders: () => readonly vscode.WorkspaceFolder[],
  ) {
    super();
    this._register(store.onDidChange(() => this.changed.fire()));
  }

  async getChildren(node?: AgentsNode): Promise<AgentsNode[]> {
    if (!node) {
      const folders = this.folders();
      if (folders.length === 1) return this.folderChildren(folders[0]!);
      return folders.map((folder) => ({ kind: 'folder', folder }));
    }
    switch (node.kind) {
      case 'folder':
        return this.folderChildren(node.folder);
      case 'tier':
        return node.agents.map((agent) => ({ kind: 'agent', folder: node.folder, agent }));
      case 'agent':
        return node.agent.shadows.map((definition) => ({ kind: 'shadowed', folder: node.folder, definition, winner: node.agent }));
      case 'problems':
        return node.diagnostics.map((diagnostic) => ({ kind: 'problem', diagnostic }));
      default:
        return [];
    }
  }

  private async folderChildren(folder: vscode.WorkspaceFolder): Promise<AgentsNode[]> {
    const catalog = await this.store.get(folder);
    const nodes: AgentsNode[] = AGENT_TIERS.map((tier) => ({ kind: 'tier' as const, folder, tier, agents: catalog.agents.filter((a) => a.tier === tier) })).filter((n) => n.agents.length > 0);
    if (catalog.diagnostics.length) nodes.push({ kind: 'problems', folder, diagnostics: catalog.diagnostics });
    return nodes;
  }

  getTreeItem(node: AgentsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'folder': {
        const item = new vscode.TreeItem(node.folder.name, vscode.TreeItemCollapsibleState.Expanded);
        item.iconPath = vscode.ThemeIcon.Folder;
        return item;
      }
      case 'tier': {
        const item = new vscode.TreeItem(vscode.l10n.t('{0} agents', TIER_LABELS[node.tier]), vscode.TreeItemCollapsibleState.Expanded);
        item.description = String(node.agents.length);
        item.iconPath = new vscode.ThemeIcon(node.tier === 'project' ? 'project' : node.tier === 'user' ? 'account' : 'library');
        item.contextValue = 'agentTier';
        return item;
      }
      case 'agent':
        return agentItem(node.agent);
      case 'shadowed': {
        const item = new vscode.TreeItem(vscode.l10n.t('{0} definition (overridden)', TIER_LABELS[node.definition.tier]), vscode.TreeItemCollapsibleState.None);
        item.description = definitionPlace(node.definition.tier, node.definition.filePath);
        item.tooltip = vscode.l10n.t('{0} from the {1} tier wins over this file', node.winner.name, node.winner.tier);
        item.iconPath = new vscode.ThemeIcon('eye-closed');
        item.resourceUri = vscode.Uri.file(node.definition.filePath);
        item.contextValue = 'agentShadowed';
        item.command = { command: 'claudePm.agents.openDefinition', title: vscode.l10n.t('Open Agent Definition'), arguments: [node] };
        return item;
      }
      case 'problems': {
        const item = new vscode.TreeItem(vscode.l10n.t('Problems'), vscode.TreeItemCollapsibleState.Collapsed);
        item.description = String(node.diagnostics.length);
        item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
        return item;
      }
      case 'problem': {
        const d = node.diagnostic;
        const item = new vscode.TreeItem(vscode.workspace.asRelativePath(d.file), vscode.TreeItemCollapsibleState.None);
        item.description = d.message;
        item.tooltip = `${d.file}${d.line ? `:${d.line}` : ''}\n${d.message}`;
        item.iconPath = new vscode.ThemeIcon(d.severity === 'error' ? 'error' : 'warning');
        item.command = { command: 'claudePm.agents.openDefinition', title: vscode.l10n.t('Open Agent Definition'), arguments: [{ filePath: d.file, line: d.line }] };
        return item;
      }
    }
  }
}

function tierDescription(tier: AgentTier): string {
  if (tier === 'project') return vscode.l10n.t('Project agent: defined in this workspace');
  if (tier === 'user') return vscode.l10n.t('User agent: defined in your home folder');
  return vscode.l10n.t('Built-in agent: ships with Claude PM');
}

/** Where a definition lives, for display: built-in ones by tier, since their install path says nothing useful. */
function definitionPlace(tier: AgentTier, filePath: string): string {
  return tier === 'system' ? vscode.l10n.t('built-in') : vscode.workspace.asRelativePath(filePath);
}

function agentItem(agent: ResolvedAgent): vscode.TreeItem {
  const item = new vscode.TreeItem(agent.name, agent.shadows.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  const overrides = agent.shadows.length ? vscode.l10n.t('overrides {0}', [...new Set(agent.shadows.map((s) => s.tier))].join(', ')) : undefined;
  // The model the CLI is given: a retired name shows as the alias it runs as.
  const model = cliModelFor(agent.model);
  item.description = [agent.type, model, overrides].filter(Boolean).join(' · ');
  item.iconPath = new vscode.ThemeIcon(agent.format === 'claude-native' ? 'hubot' : 'person');
  item.contextValue = 'agent';
  item.resourceUri = vscode.Uri.file(agent.filePath);
  const tooltip = new vscode.MarkdownString();
  tooltip.appendMarkdown(`**${markdownText(agent.name)}** (${markdownText(agent.type)})\n\n`);
  if (agent.description) tooltip.appendMarkdown(`${markdownText(agent.description)}\n\n`);
  tooltip.appendMarkdown(`${vscode.l10n.t('Model')}: ${model ? markdownText(model) : vscode.l10n.t("the Claude Code CLI's default")}\n\n`);
  if (agent.capabilities.length) tooltip.appendMarkdown(`${vscode.l10n.t('Capabilities')}: ${agent.capabilities.map(markdownText).join(', ')}\n\n`);
  if (agent.tools?.length) tooltip.appendMarkdown(`${vscode.l10n.t('Tools')}: ${agent.tools.map(markdownText).join(', ')}\n\n`);
  for (const s of agent.shadows) tooltip.appendMarkdown(`${vscode.l10n.t('Overrides the {0} definition ({1})', s.tier, markdownText(definitionPlace(s.tier, s.filePath)))}\n\n`);
  tooltip.appendMarkdown(tierDescription(agent.tier));
  if (agent.tier !== 'system') tooltip.appendMarkdown(` (${markdownText(definitionPlace(agent.tier, agent.filePath))})`);
  item.tooltip = tooltip;
  item.command = { command: 'claudePm.agents.openDefinition', title: vscode.l10n.t('Open Agent Definition'), arguments: [{ filePath: agent.filePath }] };
  return item;
}

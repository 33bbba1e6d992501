import * as vscode from 'vscode';
import type { MemoryRecord } from '../../core/memory/types';
import { SESSION_CATEGORY } from '../../core/memory/types';
import { Disposable } from '../common/lifecycle';
import type { MemoryController } from './memoryController';
import { markdownCode, markdownText } from '../../core/common/markdownText';

export type MemoryNode =
  | { kind: 'category'; folder: vscode.WorkspaceFolder; name: string; description: string; memories: MemoryRecord[] }
  | { kind: 'memory'; folder: vscode.WorkspaceFolder; memory: MemoryRecord };

const ICONS = new Map([
  ['project', 'project'],
  ['pattern', 'symbol-snippet'],
  ['team', 'organization'],
  ['error', 'bug'],
  ['session', 'history'],
]);

/** Categories → memories (newest first) with counts; loads on first expansion, never during activation. */
export class MemoryTreeProvider extends Disposable implements vscode.TreeDataProvider<MemoryNode> {
  private readonly changed = this._register(new vscode.EventEmitter<MemoryNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly controller: MemoryController) {
    super();
    this._register(controller.onDidChange(() => this.changed.fire(undefined)));
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  async getChildren(node?: MemoryNode): Promise<MemoryNode[]> {
    if (node?.kind === 'memory') return [];
    if (node?.kind === 'category') return node.memories.map((memory) => ({ kind: 'memory', folder: node.folder, memory }));
    const folder = this.controller.viewFolder();
    if (!folder) return [];
    const service = await this.controller.of(folder);
    await service.local.load();
    const byCategory = new Map<string, MemoryRecord[]>();
    for (const m of service.local.snapshot()) {
      const list = byCategory.get(m.category) ?? [];
      list.push(m);
      byCategory.set(m.category, list);
    }
    if (byCategory.size === 0) return [];
    const categories = await service.categories.all().catch(() => new Map<string, string>());
    const names = [...new Set([...categories.keys(), ...byCategory.keys()])].filter((n) => byCategory.has(n) || n !== SESSION_CATEGORY);
    return names.map((name) => ({
      kind: 'category',
      folder,
      name,
      description: categories.get(name) ?? '',
      memories: (byCategory.get(name) ?? []).sort((a, b) => b.createdAt.localeCompare(a.createdAt)),
    }));
  }

  getTreeItem(node: MemoryNode): vscode.TreeItem {
    if (node.kind === 'category') {
      const item = new vscode.TreeItem(node.name, node.memories.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
      item.description = String(node.memories.length);
      item.tooltip = node.description;
      item.iconPath = new vscode.ThemeIcon(ICONS.get(node.name) ?? 'tag');
      item.contextValue = 'memoryCategory';
      return item;
    }
    const m = node.memory;
    const item = new vscode.TreeItem(m.content.split('\n')[0]?.slice(0, 120) ?? '', vscode.TreeItemCollapsibleState.None);
    item.id = m.id;
    item.description = [age(m.createdAt), ...m.tags.map((t) => `#${t}`)].join(' ');
    const tooltip = new vscode.MarkdownString();
    tooltip.appendCodeblock(m.content, 'text');
    tooltip.appendMarkdown(`\n\n*${markdownText(m.category)}* · ${m.createdAt}${m.nearDuplicateOf ? ` · ${vscode.l10n.t('near-duplicate of {0}', markdownCode(m.nearDuplicateOf))}` : ''}`);
    item.tooltip = tooltip;
    item.contextValue = m.id.startsWith('pending:') ? 'memoryPending' : 'memory';
    item.iconPath = new vscode.ThemeIcon(m.id.startsWith('pending:') ? 'cloud-upload' : 'note');
    return item;
  }
}

/** "3d", "5h", "just now": how old a memory is, for trees and hovers. */
export function age(iso: string, now = Date.now()): string {
  const minutes = Math.max(0, Math.round((now - Date.parse(iso)) / 60_000));
  if (minutes < 1) return vscode.l10n.t('just now');
  if (minutes < 60) return vscode.l10n.t('{0}m ago', minutes);
  const hours = Math.round(minutes / 60);
  if (hours < 48) return vscode.l10n.t('{0}h ago', hours);
  return vscode.l10n.t('{0}d ago', Math.round(hours / 24));
}

import * as vscode from 'vscode';
import type { SearchHit } from '../../core/memory/types';
import type { FolderSessions } from '../common/folderSession';
import type { MemoryController } from './memoryController';
import { age } from './memoryTree';
import { markdownBlock, markdownText, shortenAtWord } from '../../core/common/markdownText';

/**
 * Answers from the in-memory index only (no I/O, no await). Until the index is loaded it answers nothing and
 * starts the load in the background, so the first hover is the trigger and later ones are instant.
 */
function lookupNow(controller: MemoryController, uri: vscode.Uri, text: string, limit: number): SearchHit[] {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  if (!folder) return [];
  const service = controller.peek(folder);
  if (!service) {
    void controller.of(folder).catch(() => undefined);
    return [];
  }
  if (!service.local.isLoaded) {
    void service.local.load();
    return [];
  }
  return service.lookup(text, limit);
}

export class MemoryHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly controller: MemoryController,
    private readonly sessions: FolderSessions,
  ) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    if (!this.sessions.settingsFor(document.uri).memoryHover) return undefined;
    const diagnostic = vscode.languages.getDiagnostics(document.uri).find((d) => d.range.contains(position));
    const range = document.getWordRangeAtPosition(position, /[A-Za-z_$][\w$.]*/);
    const text = diagnostic?.message ?? (range ? document.getText(range) : '');
    if (text.length < 3) return undefined;
    const hits = lookupNow(this.controller, document.uri, text, 3);
    if (hits.length === 0) return undefined;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${vscode.l10n.t('From memory')}**\n\n`);
    for (const { memory } of hits) {
      md.appendMarkdown(`$(${memory.category === 'error' ? 'bug' : memory.category === 'pattern' ? 'symbol-snippet' : 'note'}) *${markdownText(memory.category)}* · ${age(memory.createdAt)}\n\n`);
      md.appendMarkdown(markdownBlock(shortenAtWord(memory.content, 400)));
      md.appendMarkdown('\n\n---\n\n');
    }
    return new vscode.Hover(md, diagnostic?.range ?? range);
  }
}

/** "Known solution from memory" on diagnostics whose message matches an error memory. */
export class MemoryCodeActionProvider implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(
    private readonly controller: MemoryController,
    private readonly sessions: FolderSessions,
  ) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    if (!this.sessions.settingsFor(document.uri).memoryCodeActions) return [];
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      const hit = lookupNow(this.controller, document.uri, diagnostic.message, 5).find((h) => h.memory.category === 'error');
      if (!hit) continue;
      const action = new vscode.CodeAction(vscode.l10n.t('Known solution from memory: {0}', hit.memory.content.split('\n')[0]?.slice(0, 80) ?? ''), vscode.CodeActionKind.QuickFix);
      action.diagnostics = [diagnostic];
      action.command = { command: 'claudePm.memory.show', title: vscode.l10n.t('Show memory'), arguments: [hit.memory.id] };
      actions.push(action);
    }
    return actions;
  }
}

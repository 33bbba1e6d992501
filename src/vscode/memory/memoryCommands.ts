import * as vscode from 'vscode';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../core/common/atomicFile';
import { parseMemoryJsonl, toMemoryJsonl } from '../../core/memory/jsonlTransfer';
import type { MemoryRecord } from '../../core/memory/types';
import { registerCommand } from '../commands';
import type { FeatureContext } from '../featureContext';
import type { MemoryController } from './memoryController';
import type { MemoryNode, MemoryTreeProvider } from './memoryTree';

function memoryOf(arg: unknown): MemoryRecord | undefined {
  const node = arg as MemoryNode | undefined;
  return node?.kind === 'memory' ? node.memory : undefined;
}

async function pickCategory(controller: MemoryController, preset?: string): Promise<string | undefined> {
  if (preset) return preset;
  const categories = await (await controller.get()).categories.all();
  const picked = await vscode.window.showQuickPick(
    [...categories].map(([label, detail]) => ({ label, detail })),
    { title: vscode.l10n.t('Memory category') },
  );
  return picked?.label;
}

export function registerMemoryCommands(features: FeatureContext, controller: MemoryController, tree: MemoryTreeProvider): void {
  const write = { permission: 'memory.write' as const };
  const read = { permission: 'memory.read' as const };

  registerCommand(features, 'claudePm.memory.refresh', async () => {
    const service = await controller.get();
    await (service.backend as { refresh?: () => Promise<unknown> }).refresh?.();
    tree.refresh();
  });

  registerCommand(
    features,
    'claudePm.memory.search',
    async () => {
      const service = await controller.get();
      const quickPick = vscode.window.createQuickPick<vscode.QuickPickItem & { memory?: MemoryRecord }>();
      quickPick.placeholder = vscode.l10n.t('Search memories');
      quickPick.matchOnDescription = true;
      quickPick.matchOnDetail = true;
      let generation = 0;
      quickPick.onDidChangeValue(async (value) => {
        const mine = ++generation;
        if (value.trim().length < 2) return void (quickPick.items = []);
        quickPick.busy = true;
        const hits = await service.search(value, { limit: 20 }).catch(() => []);
        if (mine !== generation) return;
        quickPick.busy = false;
        quickPick.items = hits.map((h) => ({ label: h.memory.content.split('\n')[0] ?? '', description: `${h.memory.category} · ${h.score.toFixed(2)}`, detail: h.memory.content, alwaysShow: true, memory: h.memory }));
      });
      quickPick.onDidAccept(() => {
        const memory = quickPick.selectedItems[0]?.memory;
        quickPick.hide();
        if (memory) void showMemory(memory);
      });
      quickPick.onDidHide(() => quickPick.dispose());
      quickPick.show();
    },
    read,
  );

  registerCommand(
    features,
    'claudePm.memory.show',
    async (id: string) => {
      const memory = await (await controller.get()).get(id);
      if (memory) await showMemory(memory);
    },
    read,
  );

  const add = async (content?: string, presetCategory?: string, metadata: Record<string, unknown> = {}) => {
    const text = content ?? (await vscode.window.showInputBox({ title: vscode.l10n.t('Add Memory'), prompt: vscode.l10n.t('What should be remembered?'), ignoreFocusOut: true }));
    if (!text?.trim()) return;
    const category = await pickCategory(controller, presetCategory);
    if (!category) return;
    const result = await (await controller.get()).add({ content: text, category, metadata });
    void vscode.window.showInformationMessage(
      result.duplicate ? vscode.l10n.t('Already remembered.') : result.memory.nearDuplicateOf ? vscode.l10n.t('Remembered (almost the same as an existing memory).') : vscode.l10n.t('Remembered.'),
    );
  };
  registerCommand(features, 'claudePm.memory.add', () => add(), write);

  const rememberSelection = (category: string) => async () => {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.selection.isEmpty) return;
    const selected = editor.document.getText(editor.selection);
    const note = await vscode.window.showInputBox({ title: vscode.l10n.t('Describe what to remember (optional)'), ignoreFocusOut: true });
    if (note === undefined) return;
    const content = note.trim() ? `${note.trim()}\n${selected}` : selected;
    await add(content, category, { file: vscode.workspace.asRelativePath(editor.document.uri), language: editor.document.languageId });
  };
  registerCommand(features, 'claudePm.memory.rememberPattern', rememberSelection('pattern'), write);
  registerCommand(features, 'claudePm.memory.rememberDecision', rememberSelection('project'), write);
  registerCommand(features, 'claudePm.memory.rememberErrorSolution', rememberSelection('error'), write);

  registerCommand(
    features,
    'claudePm.memory.edit',
    async (node: unknown) => {
      const memory = memoryOf(node);
      if (!memory) return;
      const content = await vscode.window.showInputBox({ title: vscode.l10n.t('Edit Memory'), value: memory.content, ignoreFocusOut: true });
      if (content === undefined || content.trim() === memory.content) return;
      await (await controller.get(node)).update(memory.id, { content: content.trim() });
    },
    write,
  );

  registerCommand(
    features,
    'claudePm.memory.delete',
    async (node: unknown) => {
      const memory = memoryOf(node);
      if (!memory) return;
      const yes = vscode.l10n.t('Delete');
      const choice = await vscode.window.showWarningMessage(vscode.l10n.t('Delete this memory?'), { modal: true, detail: memory.content.slice(0, 300) }, yes);
      if (choice === yes) await (await controller.get(node)).delete(memory.id);
    },
    write,
  );

  registerCommand(features, 'claudePm.memory.copy', async (node: unknown) => {
    const memory = memoryOf(node);
    if (memory) await vscode.env.clipboard.writeText(memory.content);
  });

  registerCommand(
    features,
    'claudePm.memory.importJsonl',
    async () => {
      const [uri] = (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { JSONL: ['jsonl'] } })) ?? [];
      if (!uri) return;
      const { items, problems } = parseMemoryJsonl(await readFile(uri.fsPath, 'utf8'));
      if (problems.length > 0) {
        const first = problems[0];
        throw new Error(vscode.l10n.t('Nothing imported: {0} invalid line(s), first at line {1}: {2}', problems.length, first?.line ?? 0, first?.message ?? ''));
      }
      const results = await (await controller.get()).addBatch(items);
      const added = results.filter((r) => !r.duplicate).length;
      void vscode.window.showInformationMessage(vscode.l10n.t('Imported {0} memories ({1} already present).', added, results.length - added));
    },
    write,
  );

  registerCommand(
    features,
    'claudePm.memory.exportJsonl',
    async () => {
      const uri = await vscode.window.showSaveDialog({ filters: { JSONL: ['jsonl'] }, saveLabel: vscode.l10n.t('Export') });
      if (!uri) return;
      const memories = await (await controller.get()).list();
      await writeFileAtomic(uri.fsPath, toMemoryJsonl(memories));
      void vscode.window.showInformationMessage(vscode.l10n.t('Exported {0} memories.', memories.length));
    },
    read,
  );
}

async function showMemory(memory: MemoryRecord): Promise<void> {
  const doc = await vscode.workspace.openTextDocument({ content: `# ${memory.category} · ${memory.createdAt}\n\n${memory.content}\n`, language: 'markdown' });
  await vscode.window.showTextDocument(doc, { preview: true });
}

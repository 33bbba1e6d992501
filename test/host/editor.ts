// What the suites need from the editor: the activated extension, its views' contents, and files of the workspace.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ClaudePmApi } from '../../src/vscode/extension';
import { eventually } from './harness';

export const EXTENSION_ID = 'claude-pm.claude-pm-vscode';

export async function activateExtension(): Promise<ClaudePmApi> {
  const extension = vscode.extensions.getExtension<ClaudePmApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not loaded`);
  return extension.activate();
}

export interface Row {
  label: string;
  description: string;
  /** Label and description, as the row reads. */
  text: string;
  contextValue?: string;
  node: unknown;
  children: Row[];
}

/** What a view shows, read through its provider: every row to `depth` levels, expanded or not. */
export async function rows(api: ClaudePmApi, viewId: string, depth = 3, parent?: unknown): Promise<Row[]> {
  const provider = api.trees.get(viewId)?.provider;
  assert.ok(provider, `no tree provider for ${viewId}`);
  const nodes = (await provider.getChildren(parent)) ?? [];
  return Promise.all(
    nodes.map(async (node) => {
      const item = await provider.getTreeItem(node);
      const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
      const collapsible = item.collapsibleState !== undefined && item.collapsibleState !== vscode.TreeItemCollapsibleState.None;
      const description = typeof item.description === 'string' ? item.description : '';
      return {
        label,
        description,
        text: `${label} ${description}`,
        contextValue: item.contextValue,
        node,
        children: depth > 1 && collapsible ? await rows(api, viewId, depth - 1, node) : [],
      };
    }),
  );
}

/** Every row of a tree, flattened depth first. */
export function flatten(list: Row[]): Row[] {
  return list.flatMap((r) => [r, ...flatten(r.children)]);
}

export function findRow(list: Row[], match: (r: Row) => boolean, what: string): Row {
  const found = flatten(list).find(match);
  assert.ok(found, `no row ${what} among ${JSON.stringify(flatten(list).map((r) => r.text)).slice(0, 800)}`);
  return found;
}

export function folder(index = 0): vscode.WorkspaceFolder {
  const found = vscode.workspace.workspaceFolders?.[index];
  assert.ok(found, `no workspace folder ${index}`);
  return found;
}

export function path(...parts: string[]): string {
  return join(folder().uri.fsPath, ...parts);
}

export function read(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

/** Waits until `file` exists and contains `text`. */
export function fileContains(file: string, text: string | RegExp, timeoutMs?: number): Promise<string> {
  return eventually(() => {
    const content = read(file);
    return (typeof text === 'string' ? content.includes(text) : text.test(content)) ? content : undefined;
  }, `${file} to contain ${String(text)}`, timeoutMs);
}

/** The URI of the active editor's document, once one whose path matches is shown. */
export function activeEditor(match: (uri: vscode.Uri) => boolean, what: string): Promise<vscode.TextEditor> {
  return eventually(() => {
    const editor = vscode.window.activeTextEditor;
    return editor && match(editor.document.uri) ? editor : undefined;
  }, `an editor on ${what}`);
}

/** The labels of the open tabs (webviews and settings included). */
export function tabLabels(): string[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => t.label));
}

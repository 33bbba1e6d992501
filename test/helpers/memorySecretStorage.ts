import type * as vscode from 'vscode';

/** The editor's SecretStorage kept in a Map (the get / store / delete contract the code under test relies on). */
export function memorySecretStorage(): vscode.SecretStorage & { values: Map<string, string> } {
  const values = new Map<string, string>();
  return {
    values,
    get: async (key: string) => values.get(key),
    store: async (key: string, value: string) => void values.set(key, value),
    delete: async (key: string) => void values.delete(key),
    keys: async () => [...values.keys()],
    onDidChange: () => ({ dispose: () => undefined }),
  } as unknown as vscode.SecretStorage & { values: Map<string, string> };
}

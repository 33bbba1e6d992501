import { lazyCommands } from '../lazyCommands';

/** Declarations only: the handlers in ../handlers/memory load when one of these commands runs. */
export const memoryCommands = lazyCommands(() => import('../handlers/memory').then((m) => m.memoryHandlers), {
  memoryAdd: {
    path: ['memory', 'add'],
    summary: 'Record a memory (deduplicated by content)',
    args: 'TEXT',
    permission: 'memory.write',
    options: { category: { type: 'string' }, tag: { type: 'string', multiple: true }, meta: { type: 'string', multiple: true }, project: { type: 'string' } },
  },
  memorySearch: {
    path: ['memory', 'search'],
    summary: 'Search memories',
    args: 'QUERY',
    options: { category: { type: 'string' }, limit: { type: 'string' }, tag: { type: 'string', multiple: true }, technology: { type: 'string' }, project: { type: 'string' }, threshold: { type: 'string' } },
  },
  memoryList: {
    path: ['memory', 'list'],
    summary: 'List memories, newest first',
    options: { category: { type: 'string' }, limit: { type: 'string' }, project: { type: 'string' } },
  },
  memoryCategoriesList: {
    path: ['memory', 'categories', 'list'],
    summary: 'List memory categories, built-in and custom',
    permission: 'memory.read',
  },
  memoryCategoriesAdd: {
    path: ['memory', 'categories', 'add'],
    summary: 'Register a custom memory category (or change its description)',
    args: 'NAME DESCRIPTION',
    permission: 'memory.write',
  },
  memoryCategoriesRename: {
    path: ['memory', 'categories', 'rename'],
    summary: 'Rename a custom memory category; its memories move along',
    args: 'NAME NEW_NAME',
    permission: 'memory.write',
  },
  memoryCategoriesRemove: {
    path: ['memory', 'categories', 'remove'],
    summary: 'Remove a custom memory category that no memory uses',
    args: 'NAME',
    permission: 'memory.write',
  },
  memoryContextSave: {
    path: ['memory', 'context', 'save'],
    summary: 'Store the working context of a session (replaces its previous one)',
    args: 'SESSION',
    permission: 'memory.write',
    options: { task: { type: 'string' }, technology: { type: 'string', multiple: true }, progress: { type: 'string' }, next: { type: 'string', multiple: true } },
  },
  memoryContextShow: {
    path: ['memory', 'context', 'show'],
    summary: 'Show the stored context of a session, or list the stored sessions',
    args: '[SESSION]',
    permission: 'memory.read',
  },
  memoryContextSwitch: {
    path: ['memory', 'context', 'switch'],
    summary: 'Switch from one session context to another, carrying the relevant patterns over',
    args: 'FROM TO',
    permission: 'memory.write',
  },
  memoryDelete: {
    path: ['memory', 'delete'],
    summary: 'Delete a memory',
    args: 'ID',
    permission: 'memory.write',
  },
  memoryImport: {
    path: ['memory', 'import'],
    summary: 'Import memories from a JSONL file (all lines valid, or nothing is imported)',
    args: 'FILE',
    permission: 'memory.write',
  },
  memoryExport: {
    path: ['memory', 'export'],
    summary: 'Export memories to a JSONL file',
    args: 'FILE',
    permission: 'memory.read',
    options: { category: { type: 'string' } },
  },
});

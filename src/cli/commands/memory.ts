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
    options: { category: { type: 'string' }, limit: { type: 'string' }, tag: { type: 'string', multiple: true } },
  },
  memoryList: {
    path: ['memory', 'list'],
    summary: 'List memories, newest first',
    options: { category: { type: 'string' }, limit: { type: 'string' } },
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

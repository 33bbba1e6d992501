// Child of the memory benchmark: opens the store of a workspace in a fresh process and runs one operation, so
// figures include nothing the parent had in memory. argv: <workspace> <list|search|load> [query].
// Prints {"ms": …, "count": …} on stdout (the parent takes CPU time and peak memory from outside).
import { CategoryRegistry } from '../src/core/memory/categoryRegistry';
import { EmbeddedStore } from '../src/core/memory/embeddedStore';
import { MemoryService } from '../src/core/memory/memoryService';
import { memoryDir } from '../src/core/memory/openMemory';

async function main(): Promise<void> {
  const [workspace, operation, query] = process.argv.slice(2) as [string, string, string | undefined];
  const dir = memoryDir(workspace);
  const store = new EmbeddedStore(dir);
  const service = new MemoryService(store, new CategoryRegistry(dir), store);
  const started = performance.now();
  let count = 0;
  if (operation === 'list') count = (await service.list({ limit: 20 })).length;
  else if (operation === 'search') count = (await service.search(query ?? '', { limit: 10 })).length;
  else {
    await store.load();
    count = service.lookup(query ?? '', 3).length;
  }
  const ms = performance.now() - started;
  await service.dispose();
  process.stdout.write(`${JSON.stringify({ ms: Math.round(ms), count })}\n`);
}

void main();

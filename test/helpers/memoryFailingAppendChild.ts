// Run under `ulimit -f` so the log cannot grow past a few kilobytes: an add whose append fails with EFBIG must
// leave nothing behind in memory. argv: <storeDir>. Prints one JSON line describing what it saw.
import { CategoryRegistry } from '../../src/core/memory/categoryRegistry';
import { EmbeddedStore } from '../../src/core/memory/embeddedStore';
import { MemoryService } from '../../src/core/memory/memoryService';

async function main(): Promise<void> {
  const [dir] = process.argv.slice(2) as [string];
  const store = new EmbeddedStore(dir);
  const service = new MemoryService(store, new CategoryRegistry(dir), store);
  await store.load();
  const content = `too big to append ${'x'.repeat(20_000)}`;
  let error = '';
  try {
    await service.add({ content, category: 'project' });
  } catch (e) {
    error = (e as Error).message;
  }
  const inSnapshot = store.snapshot().some((m) => m.content === content);
  const listed = (await service.list()).some((m) => m.content === content);
  const found = (await service.search('too big to append', { limit: 5 })).some((h) => h.memory.content === content);
  process.stdout.write(`${JSON.stringify({ error, inSnapshot, listed, found, count: store.snapshot().length })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});

// A separate writer process for the memory store's crash and concurrency tests.
// argv: <storeDir> <count|forever> <label> [wait]. Prints "ready" once the store is open (with `wait`, then
// starts only when a line arrives on stdin, so a warm process can be spawned ahead of time) and
// "ack <content>" after each durable add.
import { CategoryRegistry } from '../../src/core/memory/categoryRegistry';
import { EmbeddedStore } from '../../src/core/memory/embeddedStore';
import { MemoryService } from '../../src/core/memory/memoryService';

async function main(): Promise<void> {
  const [dir, countArg, label, wait] = process.argv.slice(2) as [string, string, string, string | undefined];
  const store = new EmbeddedStore(dir);
  const service = new MemoryService(store, new CategoryRegistry(dir), store);
  await store.load();
  process.stdout.write('ready\n');
  if (wait === 'wait') await new Promise((resolve) => process.stdin.once('data', resolve));
  const count = countArg === 'forever' ? Number.POSITIVE_INFINITY : Number(countArg);
  // Several adds in flight at once, as an agent run or a batch import would issue them (fewer in the
  // crash test, so the log and each restart's replay stay small).
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const content = `${label} memory number ${i} about widget ${i % 97}`;
      await service.add({ content, category: i % 2 ? 'pattern' : 'project', tags: [label] });
      process.stdout.write(`ack ${content}\n`);
    }
  };
  await Promise.all(Array.from({ length: countArg === 'forever' ? 2 : 8 }, worker));
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});

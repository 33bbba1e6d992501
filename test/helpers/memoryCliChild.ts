// Stands in for a stream of `claude-pm memory` runs: every command line on stdin opens a fresh store, as one
// CLI process would, runs its operations and answers one JSON line. argv: <storeDir>.
// In: {"ops":[{"op":"add","content":"…"} | {"op":"delete","content":"…"} | {"op":"compact"}]}
// Out: {"results":[true|false, …]} (add: acknowledged; delete: found and deleted; compact: done)
import { createInterface } from 'node:readline';
import { CategoryRegistry } from '../../src/core/memory/categoryRegistry';
import { EmbeddedStore } from '../../src/core/memory/embeddedStore';
import { MemoryService } from '../../src/core/memory/memoryService';

type Op = { op: 'add'; content: string } | { op: 'delete'; content: string } | { op: 'compact' };

async function runOne(dir: string, op: Op): Promise<boolean> {
  const store = new EmbeddedStore(dir);
  const service = new MemoryService(store, new CategoryRegistry(dir), store);
  try {
    if (op.op === 'add') return !(await service.add({ content: op.content, category: 'project' })).duplicate;
    if (op.op === 'compact') {
      await store.compact();
      return true;
    }
    const target = (await service.list()).find((m) => m.content === op.content);
    return target ? service.delete(target.id) : false;
  } finally {
    await service.dispose();
  }
}

async function main(): Promise<void> {
  const [dir] = process.argv.slice(2) as [string];
  process.stdout.write('ready\n');
  for await (const line of createInterface({ input: process.stdin })) {
    const { ops } = JSON.parse(line) as { ops: Op[] };
    const results = await Promise.all(ops.map((op) => runOne(dir, op)));
    process.stdout.write(`${JSON.stringify({ results })}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});

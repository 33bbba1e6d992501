// A separate process writing to a mem0 backend whose server is down, so every add lands in the shared outbox.
// argv: <serverUrl> <storeDir> <count> <label>. Prints "ack <content>" after each acknowledged add.
import { CircuitBreaker } from '../../src/core/common/circuitBreaker';
import { CategoryRegistry } from '../../src/core/memory/categoryRegistry';
import { SelfHostedDialect } from '../../src/core/memory/mem0Dialects';
import { Mem0Http } from '../../src/core/memory/mem0Http';
import { Mem0Store } from '../../src/core/memory/mem0Store';
import { MemoryService } from '../../src/core/memory/memoryService';

export function openMem0(url: string, dir: string) {
  const http = new Mem0Http({
    baseUrl: url,
    headers: { 'x-api-key': 'm0sk_test_key_123456' },
    timeoutMs: 2000,
    verifyTls: true,
    retries: 0,
    breaker: new CircuitBreaker({ now: Date.now }, { failureThreshold: 2, recoveryTimeoutMs: 60_000, successThreshold: 1 }),
  });
  const store = new Mem0Store(new SelfHostedDialect(http, 'proj'), http, dir, { replayIntervalMs: 600_000 });
  return { store, service: new MemoryService(store, new CategoryRegistry(dir), store) };
}

async function main(): Promise<void> {
  const [url, dir, count, label] = process.argv.slice(2) as [string, string, string, string];
  const { service } = openMem0(url, dir);
  let next = 0;
  const worker = async () => {
    while (next < Number(count)) {
      const content = `${label} queued decision ${next++}`;
      await service.add({ content, category: 'project' });
      process.stdout.write(`ack ${content}\n`);
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  await service.dispose();
}

if (process.argv[1]?.includes('child')) {
  main().catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  });
}

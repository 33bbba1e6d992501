import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { CategoryRegistry } from '../../../src/core/memory/categoryRegistry';
import { EmbeddedStore } from '../../../src/core/memory/embeddedStore';
import { MemoryService } from '../../../src/core/memory/memoryService';
import { buildChild } from '../../helpers/buildChild';
import { tempDir } from '../../helpers/tempDir';
import { seededRandom } from '../../helpers/seededRandom';

type Op = { op: 'add'; content: string } | { op: 'delete'; content: string } | { op: 'compact' };

const ROUNDS = 220;

/** The CLI side: one child process answering command lines, a fresh store per command. */
function startCliSide(script: string, dir: string) {
  const child = spawn(process.execPath, [script, dir], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    async next(): Promise<string> {
      const { value, done } = await lines.next();
      if (done) throw new Error('the CLI side exited');
      return value as string;
    },
    async run(ops: Op[]): Promise<boolean[]> {
      child.stdin.write(`${JSON.stringify({ ops })}\n`);
      return (JSON.parse(await this.next()) as { results: boolean[] }).results;
    },
    stop: () => child.stdin.end(),
  };
}

describe('two processes sharing one memory store', { timeout: 600_000 }, () => {
  it(`loses no acknowledged write and undoes no deletion over ${ROUNDS} random interleavings of adds, deletes and compactions`, async () => {
    const seed = Number(process.env.MEMORY_INTERLEAVING_SEED ?? Date.now() % 1_000_000);
    const random = seededRandom(seed);
    const dir = await tempDir();
    const script = await buildChild('test/helpers/memoryCliChild.ts');
    const cliSide = startCliSide(script, dir);
    assert.equal(await cliSide.next(), 'ready');
    // The extension's long-lived store object.
    const store = new EmbeddedStore(dir);
    const service = new MemoryService(store, new CategoryRegistry(dir), store);
    await store.load();

    const live = new Set<string>();
    const deleted = new Set<string>();
    let counter = 0;
    const pick = (): string | undefined => {
      if (live.size === 0) return undefined;
      const all = [...live];
      return all[Math.floor(random() * all.length)];
    };
    const randomOps = (side: string): Op[] =>
      Array.from({ length: 1 + Math.floor(random() * 3) }, (): Op => {
        const r = random();
        const target = pick();
        if (r < 0.2) return { op: 'compact' };
        if (r < 0.45 && target) return { op: 'delete', content: target };
        return { op: 'add', content: `${side} memory ${counter++}` };
      });
    const extensionRun = async (op: Op): Promise<boolean> => {
      if (op.op === 'add') return !(await service.add({ content: op.content, category: 'project' })).duplicate;
      if (op.op === 'compact') {
        await store.compact();
        return true;
      }
      const target = store.snapshot().find((m) => m.content === op.content);
      return target ? service.delete(target.id) : false;
    };
    const record = (ops: Op[], results: boolean[]) =>
      ops.forEach((op, i) => {
        if (!results[i] || op.op === 'compact') return;
        if (op.op === 'add') live.add(op.content);
        else {
          live.delete(op.content);
          deleted.add(op.content);
        }
      });

    let compactions = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const cliOps = randomOps('cli');
      const extensionOps = randomOps('extension');
      compactions += [...cliOps, ...extensionOps].filter((op) => op.op === 'compact').length;
      const [cliResults, extensionResults] = await Promise.all([cliSide.run(cliOps), Promise.all(extensionOps.map(extensionRun))]);
      record(cliOps, cliResults);
      record(extensionOps, extensionResults);
      await store.refresh();
      const seen = new Set(store.snapshot().map((m) => m.content));
      const lost = [...live].filter((c) => !seen.has(c));
      const undone = [...deleted].filter((c) => seen.has(c));
      assert.deepEqual({ lost, undone }, { lost: [], undone: [] }, `round ${round} (seed ${seed})`);
    }
    cliSide.stop();

    const fresh = new EmbeddedStore(dir);
    await fresh.load();
    const final = new Set(fresh.snapshot().map((m) => m.content));
    assert.deepEqual([...live].filter((c) => !final.has(c)), [], `seed ${seed}`);
    assert.deepEqual([...deleted].filter((c) => final.has(c)), [], `seed ${seed}`);
    assert.equal(final.size, live.size);
    assert.ok(compactions >= 50 && deleted.size >= 50, `too few compactions (${compactions}) or deletions (${deleted.size}) to mean anything`);
    process.stdout.write(`seed ${seed}: ${ROUNDS} rounds, ${live.size + deleted.size} acknowledged adds, ${deleted.size} deletions, ${compactions} compactions\n`);
  });
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { CategoryRegistry } from '../../../src/core/memory/categoryRegistry';
import { EmbeddedStore } from '../../../src/core/memory/embeddedStore';
import { MemoryService } from '../../../src/core/memory/memoryService';
import { buildChild } from '../../helpers/buildChild';
import { tempDir } from '../../helpers/tempDir';

interface Writer {
  acks: string[];
  go(): void;
  ready: Promise<void>;
  /** Resolves at the first acknowledged write (or exit). */
  firstAck: Promise<void>;
  exited: Promise<number | null>;
  kill(): void;
}

function startWriter(script: string, dir: string, count: string, label: string, wait = false): Writer {
  const child = spawn(process.execPath, [script, dir, count, label, ...(wait ? ['wait'] : [])], { stdio: ['pipe', 'pipe', 'pipe'] });
  const acks: string[] = [];
  let buffered = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((r) => (markReady = r));
  let markAck: () => void = () => undefined;
  const firstAck = new Promise<void>((r) => (markAck = r));
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (line === 'ready') markReady();
      else if (line.startsWith('ack ')) {
        acks.push(line.slice(4));
        markAck();
      }
    }
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      markReady();
      markAck();
      if (code) process.stderr.write(stderr);
      resolve(code);
    }),
  );
  return { acks, ready, firstAck, exited, go: () => child.stdin.write('go\n'), kill: () => child.kill('SIGKILL') };
}

async function contents(dir: string): Promise<Set<string>> {
  const store = new EmbeddedStore(dir);
  await store.load();
  return new Set(store.snapshot().map((m) => m.content));
}

describe('embedded store durability', () => {
  it('keeps every acknowledged write when the writer is SIGKILLed 200 times at random moments', async () => {
    const script = await buildChild('test/helpers/memoryWriterChild.ts');
    const dir = await tempDir();
    const acked: string[] = [];
    const reader = new EmbeddedStore(dir);
    await reader.load();
    // Writers are spawned a few runs ahead so process start-up overlaps with the previous runs.
    const warm: Writer[] = [];
    const spawnAhead = (run: number) => warm.push(startWriter(script, dir, 'forever', `run${run}`, true));
    for (let run = 0; run < 4; run++) spawnAhead(run);
    for (let run = 0; run < 200; run++) {
      const writer = warm.shift() as Writer;
      if (run + 4 < 200) spawnAhead(run + 4);
      await writer.ready;
      writer.go();
      // Kill at a random moment of a busy write stream: most kills land mid-commit.
      await writer.firstAck;
      await new Promise((r) => setTimeout(r, Math.random() * 30));
      writer.kill();
      await writer.exited;
      acked.push(...writer.acks);
      // After every kill the store must read on with every acknowledged write in it; every 25 kills it is
      // also reopened from scratch (a full replay of the log).
      await reader.refresh();
      const present = run % 25 === 24 ? await contents(dir) : new Set(reader.snapshot().map((m) => m.content));
      const missing = writer.acks.filter((c) => !present.has(c));
      assert.deepEqual(missing, [], `run ${run} lost acknowledged writes`);
    }
    const present = await contents(dir);
    assert.ok(acked.length >= 200, `only ${acked.length} writes were acknowledged`);
    process.stdout.write(`# ${acked.length} acknowledged writes over 200 kills\n`);
    assert.deepEqual(acked.filter((c) => !present.has(c)), []);
  });

  it('loses nothing when an in-process writer and a separate process append 5,000 memories each at once', async () => {
    const script = await buildChild('test/helpers/memoryWriterChild.ts');
    const dir = await tempDir();
    const store = new EmbeddedStore(dir);
    const service = new MemoryService(store, new CategoryRegistry(dir), store);
    const cliSide = startWriter(script, dir, '5000', 'cli');
    await cliSide.ready;
    const extensionSide: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < 5000) {
        const content = `extension memory number ${next++} about gadget ${next % 89}`;
        await service.add({ content, category: 'project' });
        extensionSide.push(content);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    assert.equal(await cliSide.exited, 0);
    assert.equal(cliSide.acks.length, 5000);
    await store.refresh();
    const inProcess = new Set(store.snapshot().map((m) => m.content));
    const reopened = await contents(dir);
    for (const view of [inProcess, reopened]) {
      assert.equal(view.size, 10_000);
      assert.deepEqual([...extensionSide, ...cliSide.acks].filter((c) => !view.has(c)), []);
    }
    await service.dispose();
  });
});

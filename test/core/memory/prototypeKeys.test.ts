import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CategoryRegistry } from '../../../src/core/memory/categoryRegistry';
import { EmbeddedStore } from '../../../src/core/memory/embeddedStore';
import { MemoryService } from '../../../src/core/memory/memoryService';
import { categoryNameSchema } from '../../../src/core/memory/types';
import { cli } from '../../helpers/runCli';
import { tempDir } from '../../helpers/tempDir';

/** Every name a plain object answers without holding it, plus the two that rewire prototypes. */
const NAMES = [...new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__', 'prototype'])];

describe('memory keyed by prototype names', () => {
  it('stores, finds, lists and refuses every Object.prototype name as content, tag, category and query (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...NAMES), fc.constantFrom(...NAMES), fc.constantFrom(...NAMES), async (word, tag, category) => {
        const dir = await tempDir();
        const store = new EmbeddedStore(dir);
        const service = new MemoryService(store, new CategoryRegistry(dir), store);
        const content = `${word} handling note`;
        const added = await service.add({ content, category: 'project', tags: [tag] });
        assert.equal(added.duplicate, false);
        // An unregistered category is unknown, whatever a plain object would have answered for it.
        await assert.rejects(service.add({ content, category }), /Unknown memory category/);
        const registrable = categoryNameSchema.safeParse(category).success;
        if (registrable) {
          await service.registerCategory(category, 'named like a prototype member');
          await service.add({ content, category });
          assert.deepEqual((await service.list({ category })).map((m) => m.content), [content]);
        } else {
          await assert.rejects(service.registerCategory(category, 'x'), /Invalid category/);
        }
        assert.ok((await service.search(word)).some((h) => h.memory.id === added.memory.id), `search '${word}'`);
        await service.search(tag, { tags: [tag] });
        await store.load();
        service.lookup(word);
        const counts = service.counts();
        assert.equal(counts.project, 1);
        assert.equal(Object.keys(counts).length, registrable ? 2 : 1);
        // A fresh process replays the log to the same memories.
        const reopened = new EmbeddedStore(dir);
        await reopened.load();
        assert.equal(reopened.snapshot().length, registrable ? 2 : 1);
      }),
      { numRuns: 60 },
    );
  });

  it('the CLI adds, lists, searches and exports every prototype name', async () => {
    const cwd = await tempDir();
    for (const name of NAMES) {
      const added = await cli(['memory', 'add', '--category', 'team', '--tag', name, '--format', 'json', `${name} is a word`], { cwd });
      assert.equal(added.code, 0, `${name}: ${added.stderr}`);
      const wrongCategory = await cli(['memory', 'add', '--category', name, 'x'], { cwd });
      assert.equal(wrongCategory.code, 1, name);
      assert.match(wrongCategory.stderr, /Unknown memory category|Invalid category/);
      const found = await cli(['memory', 'search', name, '--format', 'json'], { cwd });
      assert.equal(found.code, 0, `${name}: ${found.stderr}`);
      assert.ok((JSON.parse(found.stdout) as { content: string }[]).some((h) => h.content === `${name} is a word`), name);
      const byCategory = await cli(['memory', 'list', '--category', name, '--format', 'json'], { cwd });
      assert.equal(byCategory.code, 0, `${name}: ${byCategory.stderr}`);
      assert.deepEqual(JSON.parse(byCategory.stdout), []);
    }
    const listed = await cli(['memory', 'list', '--format', 'json'], { cwd });
    assert.equal((JSON.parse(listed.stdout) as unknown[]).length, NAMES.length);
    const file = join(cwd, 'out.jsonl');
    assert.equal((await cli(['memory', 'export', file], { cwd })).code, 0);
    const tags = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { tags: string[] }).tags[0]);
    assert.deepEqual(new Set(tags), new Set(NAMES));
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DamagedSnapshotError } from '../../../src/core/memory/binaryTables';
import { SearchIndex } from '../../../src/core/memory/searchIndex';
import type { MemoryRecord } from '../../../src/core/memory/types';
import { seededRandom } from '../../helpers/seededRandom';

const WORDS = 'deploy deploying deployment staging token websocket reconnect heartbeat database db auth login configuration config error exception failure retry gateway timeout cache postgres migration roadtrip road trip hiking kubernetes docker pipeline flaky spec'.split(' ');
const QUERIES = ['deploy staging', 'websocket reconnecting', 'db error', 'roadtrip', 'configurations timeout', 'hikin', 'kubernetis docker', 'item7 project', 'authentication failure retry', 'pipelines'];
const at = new Date(0).toISOString();

function memory(i: number, random: () => number): MemoryRecord {
  const words = Array.from({ length: 3 + Math.floor(random() * 12) }, () => WORDS[Math.floor(random() * WORDS.length)] as string);
  const tags = random() < 0.2 ? [WORDS[Math.floor(random() * WORDS.length)] as string] : [];
  const metadata = random() < 0.3 ? { session_id: `s${i % 40}` } : {};
  return { id: `m${i}`, content: `${words.join(' ')} item${i % 50}`, category: ['project', 'error', 'team'][i % 3] as string, tags, metadata, hash: `h${i}`, createdAt: at, updatedAt: at };
}

/** An index of `n` memories where every seventh add also removes an earlier one and every fifth rewrites one. */
function build(n: number, seed: number): SearchIndex {
  const random = seededRandom(seed);
  const index = new SearchIndex();
  for (let i = 0; i < n; i++) {
    index.add(memory(i, random));
    if (i % 7 === 3) index.remove(`m${i - 2}`);
    if (i % 5 === 4) index.add({ ...memory(i - 1, random), id: `m${i - 1}` });
  }
  return index;
}

const ranked = (index: SearchIndex, query: string, exact = false) => index.search(query, 10, undefined, exact).map((h) => `${h.id} ${h.score.toFixed(9)}`);

describe('search index', () => {
  it('a saved and loaded index ranks every query exactly as the index it was saved from', () => {
    // Under and over the fuzzy-matching size, and past the frequent-term cut-off.
    for (const n of [300, 3000, 25_000]) {
      const fresh = build(n, n);
      const loaded = SearchIndex.load(fresh.save());
      assert.equal(loaded.size, fresh.size);
      assert.ok(QUERIES.filter((q) => ranked(fresh, q).length > 0).length >= 7, `the queries find something at ${n}`);
      for (const query of QUERIES) {
        assert.deepEqual(ranked(loaded, query), ranked(fresh, query), `${query} at ${n}`);
        assert.deepEqual(ranked(loaded, query, true), ranked(fresh, query, true), `exact ${query} at ${n}`);
      }
    }
  });

  it('a loaded index then changed ranks as one built with the same changes', () => {
    const random = seededRandom(11);
    const fresh = build(2500, 5);
    const loaded = SearchIndex.load(fresh.save());
    for (let i = 0; i < 400; i++) {
      const id = `m${Math.floor(random() * 2600)}`;
      const change = random();
      for (const index of [fresh, loaded]) {
        if (change < 0.4) index.remove(id);
        else index.add({ ...memory(i, seededRandom(i)), id });
      }
    }
    assert.equal(loaded.size, fresh.size);
    assert.deepEqual([...loaded.ids()].sort(), [...fresh.ids()].sort());
    for (const query of QUERIES) assert.deepEqual(ranked(loaded, query), ranked(fresh, query), query);
    // And saved again, tombstones dropped, still the same.
    const again = SearchIndex.load(loaded.save());
    for (const query of QUERIES) assert.deepEqual(ranked(again, query), ranked(fresh, query), query);
  });

  it('finds prefixes, misspellings and compounds, and forgets what was removed', () => {
    const index = new SearchIndex();
    const add = (id: string, content: string, extra: Partial<MemoryRecord> = {}) => index.add({ id, content, category: 'project', tags: [], metadata: {}, hash: id, createdAt: at, updatedAt: at, ...extra });
    add('a', 'the websocket heartbeat runs every thirty seconds');
    add('b', 'kubernetes rollout needs a readiness probe');
    add('c', 'our road trip went through the mountains');
    add('d', 'unrelated note', { tags: ['kubernetes'] });
    assert.deepEqual(index.search('websock', 5).map((h) => h.id), ['a']);
    assert.deepEqual(index.search('kubernetis', 5).map((h) => h.id).sort(), ['b', 'd']);
    assert.deepEqual(index.search('roadtrip', 5).map((h) => h.id), ['c']);
    index.remove('a');
    assert.deepEqual(index.search('websocket', 5), []);
    assert.equal(index.has('a'), false);
    const loaded = SearchIndex.load(index.save());
    assert.deepEqual(loaded.search('kubernetis', 5), index.search('kubernetis', 5));
    assert.deepEqual(loaded.search('websocket', 5), []);
  });

  it('refuses saved bytes that do not hold together, whatever they are', () => {
    const saved = build(200, 3).save();
    assert.throws(() => SearchIndex.load(saved.subarray(0, saved.length - 8)), DamagedSnapshotError);
    assert.throws(() => SearchIndex.load(Buffer.concat([saved, Buffer.alloc(4)])), DamagedSnapshotError);
    const versioned = Buffer.from(saved);
    versioned.writeUInt32LE(99, 4);
    assert.throws(() => SearchIndex.load(versioned), DamagedSnapshotError);
    // Any single word changed either still decodes into a usable index or is refused: never a crash or a hang.
    fc.assert(
      fc.property(fc.nat(saved.length / 4 - 1), fc.nat(), (word, value) => {
        const damaged = Buffer.from(saved);
        damaged.writeUInt32LE(value >>> 0, word * 4);
        try {
          const index = SearchIndex.load(damaged);
          for (const query of QUERIES) index.search(query, 10);
        } catch (error) {
          if (!(error instanceof DamagedSnapshotError)) throw error;
        }
      }),
      { numRuns: 300 },
    );
  });
});

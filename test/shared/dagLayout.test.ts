import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { countCrossings, DagLayoutError, layoutDag, NODE_HEIGHT, NODE_WIDTH, type DagInput, type DagLayout } from '../../src/shared/dagLayout';
import { seededRandom } from '../helpers/seededRandom';

const layerOf = (layout: DagLayout) => new Map(layout.nodes.map((n) => [n.id, n.layer]));

function overlaps(layout: DagLayout): [string, string][] {
  const found: [string, string][] = [];
  for (let i = 0; i < layout.nodes.length; i++) {
    for (let j = i + 1; j < layout.nodes.length; j++) {
      const [a, b] = [layout.nodes[i]!, layout.nodes[j]!];
      if (a.x < b.x + NODE_WIDTH && b.x < a.x + NODE_WIDTH && a.y < b.y + NODE_HEIGHT && b.y < a.y + NODE_HEIGHT) found.push([a.id, b.id]);
    }
  }
  return found;
}

/** A random DAG: every step depends only on earlier ones. */
const dagArbitrary = fc.integer({ min: 1, max: 40 }).chain((n) =>
  fc.tuple(...Array.from({ length: n }, (_, i) => fc.uniqueArray(fc.integer({ min: 0, max: Math.max(0, i - 1) }), { maxLength: i === 0 ? 0 : Math.min(i, 3) }))).map((deps) =>
    deps.map((d, i): DagInput => ({ id: `s${i}`, dependsOn: d.map((j) => `s${j}`) })),
  ),
);

describe('workflow graph layout', () => {
  it('puts each step one layer after its latest dependency (longest path from a root)', () => {
    const layout = layoutDag([
      { id: 'lint', dependsOn: [] },
      { id: 'tests', dependsOn: [] },
      { id: 'build', dependsOn: ['lint'] },
      { id: 'package', dependsOn: ['build', 'tests'] },
      { id: 'summary', dependsOn: ['lint', 'package'] },
    ]);
    assert.deepEqual(Object.fromEntries(layerOf(layout)), { lint: 0, tests: 0, build: 1, package: 2, summary: 3 });
    assert.deepEqual(layout.edges.map((e) => `${e.from}->${e.to}`).sort(), ['build->package', 'lint->build', 'lint->summary', 'package->summary', 'tests->package']);
    assert.ok(layout.edges.every((e) => e.path.startsWith('M ')));
    assert.equal(layout.width, 4 * NODE_WIDTH + 3 * 56);
  });

  it('ignores dependencies on steps that are not in the run and repeated ones', () => {
    const layout = layoutDag([{ id: 'a', dependsOn: ['ghost'] }, { id: 'b', dependsOn: ['a', 'a'] }]);
    assert.deepEqual(Object.fromEntries(layerOf(layout)), { a: 0, b: 1 });
    assert.equal(layout.edges.length, 1);
  });

  it('rejects a cycle and duplicate names instead of looping', () => {
    assert.throws(() => layoutDag([{ id: 'a', dependsOn: ['c'] }, { id: 'b', dependsOn: ['a'] }, { id: 'c', dependsOn: ['b'] }, { id: 'd', dependsOn: [] }]), (e: Error) => e instanceof DagLayoutError && /cycle: (a|b|c) → .* → \1/.test(e.message));
    assert.throws(() => layoutDag([{ id: 'a', dependsOn: ['a'] }]), DagLayoutError);
    assert.throws(() => layoutDag([{ id: 'a', dependsOn: [] }, { id: 'a', dependsOn: [] }]), /duplicate step name 'a'/);
  });

  it('treats prototype names as plain step names', () => {
    const layout = layoutDag([{ id: '__proto__', dependsOn: [] }, { id: 'constructor', dependsOn: ['__proto__'] }, { id: 'toString', dependsOn: ['constructor'] }]);
    assert.deepEqual(layout.nodes.map((n) => n.layer), [0, 1, 2]);
  });

  it('an empty run lays out to nothing', () => {
    assert.deepEqual(layoutDag([]), { nodes: [], edges: [], width: 0, height: 0 });
  });

  it('orders layers to remove the crossings a careless input order makes', () => {
    // Two chains whose second layer is listed the other way round: in input order their edges cross.
    const steps: DagInput[] = [
      { id: 'a', dependsOn: [] },
      { id: 'b', dependsOn: [] },
      { id: 'after-b', dependsOn: ['b'] },
      { id: 'after-a', dependsOn: ['a'] },
    ];
    assert.equal(countCrossings(layoutDag(steps, { sweeps: 0 })), 1);
    assert.equal(countCrossings(layoutDag(steps)), 0);
  });

  it('never places two steps on top of each other, keeps every edge left to right and never adds crossings (property)', () => {
    fc.assert(
      fc.property(dagArbitrary, (steps) => {
        const layout = layoutDag(steps);
        assert.deepEqual(overlaps(layout), []);
        const byId = new Map(layout.nodes.map((n) => [n.id, n]));
        for (const e of layout.edges) assert.ok(byId.get(e.from)!.layer < byId.get(e.to)!.layer, `${e.from} -> ${e.to}`);
        for (const n of layout.nodes) assert.ok(n.x >= 0 && n.y >= 0 && n.x + NODE_WIDTH <= layout.width + 1e-9 && n.y + NODE_HEIGHT <= layout.height + 1e-9);
        assert.ok(countCrossings(layout) <= countCrossings(layoutDag(steps, { sweeps: 0 })));
      }),
      { numRuns: 200 },
    );
  });

  it('lays out a 200-step workflow', () => {
    const random = seededRandom(7);
    const steps: DagInput[] = Array.from({ length: 200 }, (_, i) => ({ id: `step-${i}`, dependsOn: i === 0 ? [] : [`step-${Math.floor(random() * i)}`, `step-${Math.floor(random() * i)}`] }));
    const layout = layoutDag(steps);
    assert.equal(layout.nodes.length, 200);
    assert.deepEqual(overlaps(layout), []);
    const layers = layerOf(layout);
    for (const s of steps) for (const d of s.dependsOn) assert.ok(layers.get(d)! < layers.get(s.id)!);
    assert.ok(countCrossings(layout) <= countCrossings(layoutDag(steps, { sweeps: 0 })));
  });
});

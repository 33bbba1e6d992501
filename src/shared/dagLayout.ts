import { findCycle } from '../core/orchestration/workflowPlan';

// Lays out a workflow's steps for the dashboard's graph: layers left to right by longest path from a root,
// each layer ordered by a few barycentre sweeps to cut edge crossings (the first step of Sugiyama's method,
// which is all a workflow of tens to hundreds of steps needs). Pure, so it runs in the webview and in tests.

export interface DagInput {
  id: string;
  dependsOn: readonly string[];
}

export interface PlacedNode {
  id: string;
  layer: number;
  /** Position within the layer, from the top. */
  order: number;
  x: number;
  y: number;
}

export interface PlacedEdge {
  from: string;
  to: string;
  /** An SVG path from the right side of `from` to the left side of `to`. */
  path: string;
}

export interface DagLayout {
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  width: number;
  height: number;
}

export interface DagLayoutOptions {
  nodeWidth?: number;
  nodeHeight?: number;
  gapX?: number;
  gapY?: number;
  /** Barycentre sweeps (each one down and one up); 0 keeps the input order within each layer. */
  sweeps?: number;
}

export class DagLayoutError extends Error {}

export const NODE_WIDTH = 188;
export const NODE_HEIGHT = 46;

/** Places every step; throws a DagLayoutError for duplicate names or a dependency cycle (never loops on them). */
export function layoutDag(input: readonly DagInput[], options: DagLayoutOptions = {}): DagLayout {
  const { nodeWidth = NODE_WIDTH, nodeHeight = NODE_HEIGHT, gapX = 56, gapY = 14, sweeps = 4 } = options;
  // Names come from workflow files: a Map, never an object keyed by them.
  const parents = new Map<string, string[]>();
  for (const node of input) {
    if (parents.has(node.id)) throw new DagLayoutError(`duplicate step name '${node.id}'`);
    parents.set(node.id, []);
  }
  for (const node of input) {
    // A dependency on a step that is not in the run has nothing to draw an edge from.
    parents.set(node.id, [...new Set(node.dependsOn)].filter((d) => parents.has(d)));
  }
  const children = new Map<string, string[]>([...parents.keys()].map((id) => [id, []]));
  for (const [id, deps] of parents) for (const dep of deps) children.get(dep)!.push(id);
  const layerOf = longestPathLayers(parents, children);

  const layers: string[][] = [];
  for (const node of input) (layers[layerOf.get(node.id)!] ??= []).push(node.id);
  orderByBarycentre(layers, layerOf, parents, children, sweeps);

  const tallest = Math.max(0, ...layers.map((l) => l.length));
  const placed = new Map<string, PlacedNode>();
  layers.forEach((ids, layer) => {
    const offset = (tallest - ids.length) / 2;
    ids.forEach((id, order) => placed.set(id, { id, layer, order, x: layer * (nodeWidth + gapX), y: (order + offset) * (nodeHeight + gapY) }));
  });
  const nodes = input.map((n) => placed.get(n.id)!);
  const edges: PlacedEdge[] = [];
  for (const node of nodes) {
    for (const dep of parents.get(node.id)!) {
      const from = placed.get(dep)!;
      const [x1, y1, x2, y2] = [from.x + nodeWidth, from.y + nodeHeight / 2, node.x, node.y + nodeHeight / 2];
      const bend = Math.min(gapX, (x2 - x1) / 2);
      edges.push({ from: dep, to: node.id, path: `M ${x1} ${y1} C ${x1 + bend} ${y1}, ${x2 - bend} ${y2}, ${x2} ${y2}` });
    }
  }
  return {
    nodes,
    edges,
    width: layers.length ? layers.length * (nodeWidth + gapX) - gapX : 0,
    height: tallest ? tallest * (nodeHeight + gapY) - gapY : 0,
  };
}

/** Layer = length of the longest dependency path from a root (Kahn's order); a cycle is reported, not followed. */
function longestPathLayers(parents: ReadonlyMap<string, readonly string[]>, children: ReadonlyMap<string, readonly string[]>): Map<string, number> {
  const waiting = new Map([...parents].map(([id, deps]) => [id, deps.length]));
  const layer = new Map<string, number>();
  const ready = [...parents.keys()].filter((id) => waiting.get(id) === 0);
  for (const id of ready) layer.set(id, 0);
  for (let i = 0; i < ready.length; i++) {
    const id = ready[i]!;
    for (const child of children.get(id)!) {
      layer.set(child, Math.max(layer.get(child) ?? 0, layer.get(id)! + 1));
      const left = waiting.get(child)! - 1;
      waiting.set(child, left);
      if (left === 0) ready.push(child);
    }
  }
  if (ready.length < parents.size) {
    const cycle = findCycle([...parents].map(([name, dependsOn]) => ({ name, dependsOn: [...dependsOn] })));
    throw new DagLayoutError(`dependency cycle: ${(cycle ?? [...parents.keys()].filter((id) => !layer.has(id))).join(' → ')}`);
  }
  return layer;
}

/**
 * Reorders each layer by the mean position of its neighbours in the layers before (down) and after (up), and
 * keeps the ordering with the fewest crossings seen (a sweep can make things worse; the input order is a candidate).
 */
function orderByBarycentre(layers: string[][], layerOf: ReadonlyMap<string, number>, parents: ReadonlyMap<string, readonly string[]>, children: ReadonlyMap<string, readonly string[]>, sweeps: number): void {
  // Positions are centred per layer, so neighbours in layers of different sizes compare fairly.
  const position = new Map<string, number>();
  const place = (ids: readonly string[]) => ids.forEach((id, i) => position.set(id, i - (ids.length - 1) / 2));
  layers.forEach(place);
  const reorder = (ids: string[], neighbours: ReadonlyMap<string, readonly string[]>) => {
    const centre = new Map<string, number>();
    for (const id of ids) {
      const around = neighbours.get(id)!;
      centre.set(id, around.length ? around.reduce((sum, n) => sum + position.get(n)!, 0) / around.length : position.get(id)!);
    }
    // Array.prototype.sort is stable: ties keep their order.
    ids.sort((a, b) => centre.get(a)! - centre.get(b)!);
    place(ids);
  };
  const crossingsNow = () => {
    const spans: Span[] = [];
    layers.forEach((ids, l) => {
      for (const id of ids) for (const dep of parents.get(id)!) if (layerOf.get(dep) === l - 1) spans.push([l - 1, position.get(dep)!, position.get(id)!]);
    });
    return crossings(spans);
  };
  let best = { count: crossingsNow(), layers: layers.map((l) => [...l]) };
  for (let sweep = 0; sweep < sweeps && best.count > 0; sweep++) {
    for (let l = 1; l < layers.length; l++) reorder(layers[l]!, parents);
    for (let l = layers.length - 2; l >= 0; l--) reorder(layers[l]!, children);
    const count = crossingsNow();
    if (count < best.count) best = { count, layers: layers.map((l) => [...l]) };
  }
  best.layers.forEach((ids, l) => (layers[l] = ids));
}

/** An edge between adjacent layers: the upper layer, and the positions of its ends in their layers. */
type Span = [layer: number, from: number, to: number];

function crossings(spans: readonly Span[]): number {
  const byLayer = new Map<number, Span[]>();
  for (const span of spans) (byLayer.get(span[0]) ?? byLayer.set(span[0], []).get(span[0])!).push(span);
  let count = 0;
  for (const group of byLayer.values()) {
    for (let i = 0; i < group.length; i++) {
      for (let j = i + 1; j < group.length; j++) if ((group[i]![1] - group[j]![1]) * (group[i]![2] - group[j]![2]) < 0) count++;
    }
  }
  return count;
}

/** Pairs of edges between adjacent layers that cross: what the ordering keeps low. */
export function countCrossings(layout: DagLayout): number {
  const byId = new Map(layout.nodes.map((n) => [n.id, n]));
  return crossings(
    layout.edges.flatMap((e) => {
      const [a, b] = [byId.get(e.from)!, byId.get(e.to)!];
      return b.layer === a.layer + 1 ? [[a.layer, a.order, b.order] as Span] : [];
    }),
  );
}

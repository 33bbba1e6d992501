import { formatDuration } from '../src/core/common/duration';
import { DagLayoutError, layoutDag, NODE_HEIGHT, NODE_WIDTH } from '../src/shared/dagLayout';
import type { DashboardRuns } from '../src/shared/protocol';
import { formatUsd, relativeTime } from '../src/shared/runFormat';
import { el, linkButton, svg } from './dom';
import { statusBadge, statusLook } from './runStatus';

type Graph = NonNullable<DashboardRuns['graph']>;
type Step = Graph['steps'][number];

const PAD = 6;
// About the characters of the dashboard font that fit beside the status glyph (a clip path cuts off the rest of
// a wide font); the full text is in the tooltip and the accessible name.
const NAME_CHARS = 21;
const META_CHARS = 27;

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function stepMeta(step: Step): string {
  return [step.agentType, statusLook(step.status).words, step.durationMs !== undefined ? formatDuration(step.durationMs) : undefined, step.attempts > 1 ? `${step.attempts} attempts` : undefined, step.costUsd !== undefined ? formatUsd(step.costUsd) : undefined]
    .filter(Boolean)
    .join(' · ');
}

/**
 * The workflow run as an SVG graph: a node per step in dependency layers, edges as curves, each node a button
 * that reveals its step in the Runs view. Every name is set as text: they come from workflow files.
 */
export function workflowGraph(graph: Graph | null, now: number, reveal: (runId: string, step?: string) => void): Node[] {
  if (!graph) return [el('p', { class: 'muted' }, 'No workflow has run yet. Run one with Run Workflow… and its steps appear here as they run.')];
  const header = el(
    'p',
    { class: 'graph-header' },
    el('strong', {}, graph.workflow),
    ' ',
    statusBadge(graph.status),
    ` · started ${relativeTime(graph.startedAt, now)} · `,
    linkButton('Show in Runs view', `graph-run:${graph.runId}`, () => reveal(graph.runId)),
  );
  let layout;
  try {
    layout = layoutDag(graph.steps.map((s) => ({ id: s.name, dependsOn: s.dependsOn })));
  } catch (error) {
    if (!(error instanceof DagLayoutError)) throw error;
    return [header, el('p', { class: 'error' }, `The steps of this run cannot be drawn: ${error.message}.`)];
  }
  const steps = new Map(graph.steps.map((s) => [s.name, s]));
  const done = (name: string) => steps.get(name)?.status === 'succeeded';
  const edges = layout.edges.map((e) => svg('path', { class: `dag-edge${done(e.from) ? ' dag-edge-done' : ''}`, d: e.path, 'marker-end': 'url(#dag-arrow)' }));
  const nodes = layout.nodes.map((placed) => {
    const step = steps.get(placed.id)!;
    const look = statusLook(step.status);
    const meta = stepMeta(step);
    const node = svg(
      'g',
      { class: `dag-node tone-${look.tone}`, role: 'button', tabindex: 0, transform: `translate(${placed.x + PAD} ${placed.y + PAD})`, 'aria-label': `${step.name}: ${meta}. Show in the Runs view.`, 'data-step': step.name, 'data-focus-key': `step:${graph.runId}:${step.name}` },
      svg('title', {}, `${step.name}\n${meta}${step.dependsOn.length ? `\nafter ${step.dependsOn.join(', ')}` : ''}`),
      svg('rect', { width: NODE_WIDTH, height: NODE_HEIGHT, rx: 4 }),
      svg('text', { class: 'dag-glyph', x: 10, y: 19, 'aria-hidden': 'true' }, look.glyph),
      svg('g', { 'clip-path': 'url(#dag-text)' }, svg('text', { class: 'dag-name', x: 28, y: 19 }, clip(step.name, NAME_CHARS)), svg('text', { class: 'dag-meta', x: 28, y: 36 }, clip(meta, META_CHARS))),
    );
    const open = () => reveal(graph.runId, step.name);
    node.addEventListener('click', open);
    node.addEventListener('keydown', (event) => {
      if ((event as KeyboardEvent).key !== 'Enter' && (event as KeyboardEvent).key !== ' ') return;
      event.preventDefault();
      open();
    });
    return node;
  });
  const arrow = svg('marker', { id: 'dag-arrow', viewBox: '0 0 8 8', refX: 8, refY: 4, markerWidth: 8, markerHeight: 8, orient: 'auto' }, svg('path', { class: 'dag-arrow', d: 'M 0 0 L 8 4 L 0 8 z' }));
  const picture = svg(
    'svg',
    { id: 'workflow-graph', width: layout.width + 2 * PAD, height: layout.height + 2 * PAD, role: 'group', 'aria-label': `Steps of ${graph.workflow}, ${graph.steps.length === 1 ? '1 step' : `${graph.steps.length} steps`} in dependency order` },
    svg('defs', {}, arrow, svg('clipPath', { id: 'dag-text' }, svg('rect', { x: 0, y: 0, width: NODE_WIDTH - 6, height: NODE_HEIGHT }))),
    svg('g', { transform: `translate(${PAD} ${PAD})` }, ...edges),
    ...nodes,
  );
  return [header, el('div', { class: 'graph-scroll' }, picture)];
}

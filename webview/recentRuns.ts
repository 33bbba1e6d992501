import { formatDuration } from '../src/core/common/duration';
import type { DashboardRuns } from '../src/shared/protocol';
import { formatUsd, relativeTime } from '../src/shared/runFormat';
import { el, linkButton } from './dom';
import { statusBadge } from './runStatus';

type Run = DashboardRuns['recent'][number];

function cost(run: Run): string {
  const text = formatUsd(run.costUsd);
  // An agent stopped before it reported its cost was priced from its tokens.
  return run.costEstimated && run.costUsd !== undefined ? `≈ ${text}` : text;
}

/** The recent runs as a table; each run's name is a button that reveals it in the Runs view. */
export function recentRuns(runs: readonly Run[], now: number, reveal: (runId: string) => void, empty: Node[]): Node[] {
  if (runs.length === 0) return empty;
  const head = el('thead', {}, el('tr', {}, ...['Run', 'Status', 'Duration', 'Cost', 'Started'].map((t) => el('th', { scope: 'col' }, t))));
  const rows = runs.map((run) => {
    const row = el(
      'tr',
      { 'data-run': run.id },
      el('th', { scope: 'row' }, linkButton(run.title, `recent-run:${run.id}`), el('span', { class: 'muted run-kind' }, run.kind === 'delegated' ? ' task' : ' workflow'), run.user ? el('span', { class: 'muted' }, ` · ${run.user}`) : null),
      el('td', {}, statusBadge(run.status)),
      el('td', { class: 'number' }, run.durationMs !== undefined ? formatDuration(run.durationMs) : run.status === 'running' ? 'running' : '—'),
      el('td', { class: 'number' }, cost(run)),
      el('td', { title: new Date(run.startedAt).toLocaleString() }, relativeTime(run.startedAt, now)),
    );
    // The whole row answers a click; the name's button (inside it) gives keyboard users the same.
    row.addEventListener('click', () => reveal(run.id));
    return row;
  });
  return [el('table', { class: 'runs-table', 'aria-label': 'Recent runs' }, head, el('tbody', {}, ...rows))];
}

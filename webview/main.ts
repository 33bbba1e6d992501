// Dashboard webview: renders host snapshots with VS Code Elements and a uPlot chart in theme colours.
import './cspNonce';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import { dashboardRunsSchema, dashboardSnapshotSchema, hostToWebviewSchema, type DashboardRuns, type DashboardSnapshot, type WebviewToHost } from '../src/shared/protocol';
import { statusLabel } from '../src/core/tickets/status';
import { COST_RANGE_DAYS } from '../src/shared/costChart';
import { ScoreChart } from './chart';
import { costChartView } from './costChartView';
import { el, fill, refill, withCode } from './dom';
import { recentRuns } from './recentRuns';
import { onThemeChange } from './theme';
import { workflowGraph } from './workflowGraph';

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById('app') as HTMLElement;

function card(id: string, title: string, wide = false): HTMLElement {
  return el('section', { class: `card${wide ? ' wide' : ''}`, id, 'aria-labelledby': `${id}-title` }, el('h2', { id: `${id}-title` }, title), el('div', { id: `${id}-body` }));
}

function button(id: string, label: string, message: WebviewToHost, secondary = false): HTMLElement {
  const b = el('vscode-button', { id, ...(secondary ? { secondary: '' } : {}) }, label);
  b.addEventListener('click', () => vscode.postMessage(message));
  return b;
}

// The skeleton is built once; each snapshot only refills the card bodies, so focus is never lost.
app.replaceChildren(
  el(
    'header',
    {},
    el('h1', { id: 'title' }, 'Claude PM Dashboard'),
    el(
      'div',
      { class: 'actions', role: 'toolbar', 'aria-label': 'Dashboard actions' },
      button('refresh', 'Check Health', { type: 'runCommand', command: 'claudePm.health.refresh' }),
      button('show-log', 'Show Log', { type: 'runCommand', command: 'claudePm.showLog' }, true),
    ),
  ),
  el('p', { id: 'error', role: 'alert', class: 'error', hidden: '' }),
  el(
    'div',
    { class: 'cards' },
    card('system-card', 'System Status'),
    card('services', 'Services'),
    card('memory-card', 'Memory Service'),
    card('runs-card', 'Agent Coordination'),
    card('tickets-card', 'Tickets'),
    card('performance-card', 'Performance'),
    card('graph-card', 'Workflow Run', true),
    card('recent-runs-card', 'Recent Runs', true),
    card('cost-card', 'Cost by Agent Type', true),
    card('chart-card', 'Health Score Over Time', true),
    card('projects-card', 'Projects', true),
    card('alerts-card', 'Alerts and Recommendations', true),
  ),
  el('footer', { id: 'updated', 'aria-live': 'off' }),
);
// What the page shows, kept by the webview across hide and show (the host resends it anyway once ready).
interface ViewState {
  snapshot?: DashboardSnapshot;
  runs?: DashboardRuns;
  costDays: number;
}
const state: ViewState = { costDays: 30 };

const range = el('select', { id: 'cost-range', 'aria-label': 'Cost range' }, ...COST_RANGE_DAYS.map((d) => el('option', { value: String(d) }, `Last ${d} days`)));
range.addEventListener('change', () => {
  state.costDays = Number(range.value);
  vscode.setState(state);
  if (state.runs) renderCosts(state.runs);
});
const costTarget = el('div', { id: 'cost-chart-body' });
fill('cost-card-body', el('div', { class: 'card-tools' }, range), costTarget);
new ResizeObserver(() => state.runs && renderCosts(state.runs)).observe(costTarget);

const chartTarget = el('div', { id: 'score-chart', role: 'img', tabindex: '0' });
fill('chart-card-body', chartTarget);
const chart = new ScoreChart(chartTarget);
onThemeChange(() => chart.rebuild());

const STATUS_CLASS: Record<string, string> = { healthy: 'ok', passed: 'ok', degraded: 'warn', warning: 'warn', down: 'bad', error: 'bad', critical: 'bad', unknown: 'off' };

function status(text: string): HTMLElement {
  return el('span', { class: `status status-${STATUS_CLASS[text] ?? 'off'}` }, text);
}

function definitions(rows: [string, string | Node][]): HTMLElement {
  return el('dl', {}, ...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}

function countsList(values: Record<string, number> | undefined, empty: string, label: (key: string) => string = (key) => key): HTMLElement {
  const entries = Object.entries(values ?? {});
  if (entries.length === 0) return el('p', { class: 'muted' }, empty);
  const max = Math.max(1, ...entries.map(([, v]) => v));
  return el(
    'ul',
    { class: 'bars' },
    ...entries.map(([k, v]) =>
      el('li', {}, el('span', { class: 'bar-label' }, label(k)), el('meter', { min: '0', max: String(max), value: String(v), 'aria-label': `${label(k)}: ${v}` }), el('span', { class: 'bar-value' }, String(v))),
    ),
  );
}

/** The `<prefix>.` entries of an area's counts (e.g. tickets' `status.open`) without the prefix; all of them when there are none. */
function grouped(values: Record<string, number> | undefined, prefix: string, omit: readonly string[] = []): Record<string, number> {
  const entries = Object.entries(values ?? {}).filter(([k]) => !omit.includes(k));
  const inGroup = entries.filter(([k]) => k.startsWith(`${prefix}.`));
  return Object.fromEntries(inGroup.length ? inGroup.filter(([, v]) => v > 0).map(([k, v]) => [k.slice(prefix.length + 1), v]) : entries);
}

function render(snapshot: DashboardSnapshot): void {
  const h = snapshot.health;
  fill(
    'system-card-body',
    h
      ? el(
          'div',
          { class: 'score-block' },
          el('p', { id: 'health-score', class: `score score-${h.status}`, 'aria-live': 'polite' }, `${h.score}%`),
          el('vscode-badge', { id: 'health-status', class: `badge-${h.status}` }, h.status),
        )
      : el('p', { id: 'health-score', class: 'score score-unknown' }, '–'),
    h
      ? definitions([
          ['Projects', `${h.projectPercentage ?? '–'}%`],
          ['Services', `${h.servicePercentage ?? '–'}%`],
          ['Compliance', `${h.compliancePercentage}%`],
          ['Checked', h.checkedAt ? new Date(h.checkedAt).toLocaleTimeString() : '–'],
        ])
      : el('p', { class: 'muted' }, 'Not checked yet: press Check Health.'),
  );

  fill(
    'services-body',
    h && h.services.length
      ? el(
          'table',
          {},
          el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Service'), el('th', { scope: 'col' }, 'Status'), el('th', { scope: 'col' }, 'Response'))),
          el(
            'tbody',
            {},
            ...h.services.map((s) =>
              el('tr', { title: s.error ?? '' }, el('th', { scope: 'row' }, `${s.name}${s.critical ? ' *' : ''}`), el('td', {}, status(s.status)), el('td', {}, s.responseTimeMs === null ? (s.status === 'down' ? 'no answer' : 'error') : `${s.responseTimeMs} ms`)),
            ),
          ),
        )
      : el('p', { class: 'muted' }, 'No services to check. Add your own under health.services in .claude-pm/config.json.'),
    h?.services.some((s) => s.critical) ? el('p', { class: 'muted' }, '* critical service') : null,
  );

  const memoryCounts = grouped(snapshot.counts.memory, 'category', ['queuedWrites', 'total']);
  fill(
    'memory-card-body',
    snapshot.memoryBackend
      ? definitions([
          ['Backend', snapshot.memoryBackend.kind],
          ['State', status(snapshot.memoryBackend.state)],
          ['Queued writes', String(snapshot.memoryBackend.queuedWrites)],
        ])
      : el('p', { class: 'muted' }, 'Memory status appears after the first check.'),
    countsList(memoryCounts, 'No memories counted yet.'),
  );

  const runs = snapshot.counts.runs ?? snapshot.counts.orchestration;
  fill(
    'runs-card-body',
    definitions([
      ['Active', String(runs?.active ?? 0)],
      ['Completed', String(runs?.completed ?? runs?.succeeded ?? 0)],
      ['Failed', String(runs?.failed ?? 0)],
      ['Agents', String(snapshot.counts.agents?.total ?? Object.values(snapshot.counts.agents ?? {}).reduce((a, b) => a + b, 0))],
    ]),
  );

  const tickets = snapshot.counts.tickets;
  fill(
    'tickets-card-body',
    tickets?.total !== undefined ? definitions([['Total', String(tickets.total)]]) : null,
    countsList(grouped(tickets, 'status', ['total']), tickets?.total === 0 ? 'No tickets yet.' : 'No tickets counted yet.', statusLabel),
  );

  const sys = snapshot.system;
  const responding = h?.services.filter((s) => s.responseTimeMs !== null) ?? [];
  fill(
    'performance-card-body',
    definitions([
      ['Extension host memory', `${sys.processRssMb.toFixed(0)} MB`],
      ['Extension host CPU', `${sys.processCpuPercent.toFixed(1)}%`],
      ['System memory used', `${sys.systemMemoryUsedPercent.toFixed(0)}%`],
      ['Load (1 min)', `${sys.systemLoad1.toFixed(2)} on ${sys.cpuCount} CPUs`],
      ['Last check took', h?.durationMs !== undefined ? `${h.durationMs} ms` : '–'],
      ['Average response', responding.length ? `${Math.round(responding.reduce((a, s) => a + (s.responseTimeMs ?? 0), 0) / responding.length)} ms` : h?.services.length ? 'no answer' : 'no services checked'],
    ]),
  );

  chart.update(snapshot.history);

  fill(
    'projects-card-body',
    h?.projects?.length
      ? el(
          'table',
          {},
          el('thead', {}, el('tr', {}, ...['Project', 'Status', 'Branch', 'Changes', 'Ahead/behind', 'Compliance'].map((t) => el('th', { scope: 'col' }, t)))),
          el(
            'tbody',
            {},
            ...h.projects.map((p) =>
              el(
                'tr',
                {},
                el('th', { scope: 'row' }, p.name),
                el('td', {}, status(p.status)),
                el('td', {}, p.detached ? 'detached HEAD' : (p.branch ?? '–')),
                el('td', {}, p.dirtyFiles === null ? '–' : String(p.dirtyFiles)),
                el('td', {}, `↑${p.ahead} ↓${p.behind}`),
                el('td', {}, `${p.compliancePercentage}%`),
              ),
            ),
          ),
        )
      : el('p', { class: 'muted' }, 'No projects checked yet.'),
  );

  fill(
    'alerts-card-body',
    h && h.alerts.length ? el('ul', { class: 'alerts' }, ...h.alerts.map((a) => el('li', {}, status(a.level), ' ', a.message))) : el('p', { class: 'muted' }, 'No alerts.'),
    h && h.recommendations.length
      ? el('ol', { class: 'recommendations', 'aria-label': 'Recommendations' }, ...h.recommendations.map((r, i) => el('li', {}, ...withCode(r.text), r.action ? button(`recommendation-${i}`, r.action.title, { type: 'runCommand', command: r.action.command }, true) : null)))
      : null,
  );

  fill('updated', `Updated ${new Date(snapshot.generatedAt).toLocaleTimeString()} · v${snapshot.version}`);
  (document.getElementById('error') as HTMLElement).hidden = true;
}

function reveal(runId: string, step?: string): void {
  vscode.postMessage({ type: 'revealRun', runId, step });
}

function renderCosts(runs: DashboardRuns): void {
  const open = costTarget.querySelector('details')?.open === true;
  refill('cost-chart-body', ...costChartView(runs, state.costDays, costTarget.clientWidth || 600));
  const table = costTarget.querySelector('details');
  if (table) table.open = open;
}

function renderRuns(runs: DashboardRuns): void {
  const now = Date.now();
  refill('graph-card-body', ...workflowGraph(runs.graph, now, reveal));
  const empty = [
    el('p', { class: 'muted' }, 'No runs yet. Run a workflow or delegate a task to an agent: each run appears here with its status, duration and cost.'),
    el('div', { class: 'actions' }, button('start-workflow', 'Run Workflow…', { type: 'runCommand', command: 'claudePm.workflows.run' }), button('start-delegation', 'Delegate Task…', { type: 'runCommand', command: 'claudePm.agents.delegate' }, true)),
  ];
  refill('recent-runs-card-body', ...recentRuns(runs.recent, now, reveal, empty));
  renderCosts(runs);
}

window.addEventListener('message', (event: MessageEvent) => {
  const parsed = hostToWebviewSchema.safeParse(event.data);
  if (!parsed.success) return;
  const message = parsed.data;
  if (message.type === 'snapshot') {
    state.snapshot = message.snapshot;
    render(message.snapshot);
  } else if (message.type === 'runs') {
    state.runs = message.runs;
    renderRuns(message.runs);
  } else {
    const error = document.getElementById('error') as HTMLElement;
    error.textContent = message.message;
    error.hidden = false;
    return;
  }
  vscode.setState(state);
});

// Restores what the page last showed; anything that no longer validates is dropped and comes again from the host.
const saved = (vscode.getState() ?? {}) as Partial<Record<keyof ViewState, unknown>>;
const savedSnapshot = dashboardSnapshotSchema.safeParse(saved.snapshot);
const savedRuns = dashboardRunsSchema.safeParse(saved.runs);
if (COST_RANGE_DAYS.some((d) => d === saved.costDays)) state.costDays = saved.costDays as number;
range.value = String(state.costDays);
if (savedSnapshot.success) render((state.snapshot = savedSnapshot.data));
if (savedRuns.success) renderRuns((state.runs = savedRuns.data));
vscode.postMessage({ type: 'ready' });

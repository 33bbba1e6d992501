import { OTHER_SERIES, shapeCostChart, type CostChart } from '../src/shared/costChart';
import type { DashboardRuns } from '../src/shared/protocol';
import { formatUsd } from '../src/shared/runFormat';
import { el, svg, withCode } from './dom';

const HEIGHT = 220;
const MARGIN = { top: 10, right: 8, bottom: 26, left: 60 };
/** Date labels on the day axis at least this far apart. */
const LABEL_SPACING = 56;

const axisUsd = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD', minimumFractionDigits: 0, maximumFractionDigits: 4 });

function dayLabel(day: string): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
}

function seriesClass(chart: CostChart, index: number): string {
  return chart.series[index] === OTHER_SERIES ? 'series-other' : `series-${index}`;
}

/** Cost per day stacked by agent type, as SVG bars with axes, a legend and the same figures as a table. */
export function costChartView(runs: DashboardRuns, days: number, width: number): Node[] {
  const chart = shapeCostChart(runs.costs, runs.today, days);
  if (chart.total === 0) {
    return [el('p', { id: 'cost-empty', class: 'muted' }, ...withCode(`No agent cost in the last ${days} days. Costs appear once agents run (shell command steps cost nothing); \`claude-pm workflow costs\` prints the same figures.`))];
  }
  const plotWidth = Math.max(120, width - MARGIN.left - MARGIN.right);
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const top = chart.ticks.at(-1)!;
  const y = (usd: number) => MARGIN.top + plotHeight - (usd / top) * plotHeight;
  const slot = plotWidth / chart.days.length;
  const barWidth = Math.max(1, slot * 0.7);
  const every = Math.max(1, Math.ceil(LABEL_SPACING / slot));

  const grid = chart.ticks.map((t) =>
    svg('g', {}, svg('line', { class: 'chart-grid', x1: MARGIN.left, x2: MARGIN.left + plotWidth, y1: y(t), y2: y(t) }), svg('text', { class: 'chart-label', x: MARGIN.left - 6, y: y(t) + 4, 'text-anchor': 'end' }, axisUsd.format(t))),
  );
  const bars = chart.bars.flatMap((bar, i) =>
    bar.segments.map((s) =>
      svg(
        'rect',
        { class: `chart-bar ${seriesClass(chart, s.series)}`, x: MARGIN.left + i * slot + (slot - barWidth) / 2, y: y(s.to), width: barWidth, height: Math.max(0.5, y(s.from) - y(s.to)) },
        svg('title', {}, `${dayLabel(bar.day)} · ${chart.series[s.series]}: ${formatUsd(s.costUsd)}`),
      ),
    ),
  );
  const labels = chart.days.flatMap((day, i) =>
    (chart.days.length - 1 - i) % every === 0 ? [svg('text', { class: 'chart-label', x: MARGIN.left + i * slot + slot / 2, y: HEIGHT - 8, 'text-anchor': 'middle' }, dayLabel(day))] : [],
  );
  const busiest = chart.bars.reduce((a, b) => (b.total > a.total ? b : a));
  const summary = `Cost per day by agent type over the last ${days} days: ${formatUsd(chart.total)} in all, most on ${dayLabel(busiest.day)} (${formatUsd(busiest.total)}); ${chart.series.map((name, i) => `${name} ${formatUsd(chart.seriesTotals[i])}`).join(', ')}.`;
  const picture = svg(
    'svg',
    { id: 'cost-chart', width: MARGIN.left + plotWidth + MARGIN.right, height: HEIGHT, role: 'img', 'aria-label': summary },
    ...grid,
    svg('line', { class: 'chart-axis', x1: MARGIN.left, x2: MARGIN.left + plotWidth, y1: y(0), y2: y(0) }),
    ...bars,
    ...labels,
  );
  const legend = el(
    'ul',
    { class: 'legend', 'aria-label': 'Agent types' },
    ...chart.series.map((name, i) => el('li', {}, el('span', { class: `swatch ${seriesClass(chart, i)}`, 'aria-hidden': 'true' }), `${name} `, el('span', { class: 'muted' }, formatUsd(chart.seriesTotals[i])))),
  );
  const table = el(
    'details',
    { class: 'chart-table' },
    el('summary', {}, 'Show as a table'),
    el(
      'table',
      {},
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Day'), ...chart.series.map((name) => el('th', { scope: 'col' }, name)), el('th', { scope: 'col' }, 'Total'))),
      el(
        'tbody',
        {},
        ...chart.bars
          .filter((bar) => bar.total > 0)
          .map((bar) => {
            const bySeries = new Map(bar.segments.map((s) => [s.series, s.costUsd]));
            return el('tr', {}, el('th', { scope: 'row' }, dayLabel(bar.day)), ...chart.series.map((_, i) => el('td', { class: 'number' }, bySeries.has(i) ? formatUsd(bySeries.get(i)) : '—')), el('td', { class: 'number' }, formatUsd(bar.total)));
          }),
      ),
    ),
  );
  return [legend, picture, table];
}

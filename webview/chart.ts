import uPlot from 'uplot';
import uplotCss from 'uplot/dist/uPlot.min.css';
import type { DashboardSnapshot } from '../src/shared/protocol';
import { injectStyle } from './cspNonce';
import { chartColors } from './theme';

type History = DashboardSnapshot['history'];

const HEIGHT = 220;

/** The health score over time (plus its three parts) as a uPlot line chart in theme colours. */
export class ScoreChart {
  private plot: uPlot | undefined;
  private history: History = [];

  constructor(private readonly container: HTMLElement) {
    injectStyle(uplotCss, 'uplot-css');
    new ResizeObserver(() => this.plot?.setSize({ width: this.width(), height: HEIGHT })).observe(container);
  }

  update(history: History): void {
    this.history = history;
    this.describe();
    if (this.plot && this.plot.series.length > 1) this.plot.setData(this.data());
    else this.rebuild();
  }

  /** Rebuilds with the current theme's colours (uPlot bakes colours into its options). */
  rebuild(): void {
    this.plot?.destroy();
    const c = chartColors();
    const axis = { stroke: c.foreground, grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.grid, width: 1 } };
    const line = (label: string, stroke: string, width: number, dash?: number[]) => ({ label, stroke, width, dash, points: { show: this.history.length < 30 }, value: (_u: uPlot, v: number | null) => (v === null ? '–' : `${v}%`) });
    this.plot = new uPlot(
      {
        width: this.width(),
        height: HEIGHT,
        // The span comes from the history itself: a lone point gets an hour around it (uPlot's own handling of
        // a single time value widens the axis to years).
        scales: { x: { time: true, range: () => this.timeSpan() }, y: { range: [0, 100] } },
        // One line per time label (uPlot's default adds the date under the first one, which crowds the y axis).
        axes: [{ ...axis, space: 70, values: (_u, ticks) => ticks.map((t) => this.timeLabel(t)) }, { ...axis, values: (_u, ticks) => ticks.map((t) => `${t}%`) }],
        series: [{}, line('Score', c.score, 2.5), line('Projects', c.projects, 1, [4, 3]), line('Services', c.services, 1, [4, 3]), line('Compliance', c.compliance, 1, [2, 3])],
        // Not live: the legend names the series instead of showing empty values until the pointer is over the chart.
        legend: { show: true, live: false },
        cursor: { drag: { x: false, y: false } },
      },
      this.data(),
      this.container,
    );
  }

  /** Times of day while the history spans a day or less, dates beyond that. */
  private timeLabel(seconds: number): string {
    const [lo, hi] = this.timeSpan();
    const date = new Date(seconds * 1000);
    return (hi ?? 0) - (lo ?? 0) <= 86_400 ? date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : date.toLocaleDateString([], { month: 'short', day: 'numeric' });
  }

  private timeSpan(): uPlot.Range.MinMax {
    const times = this.history.map((p) => Date.parse(p.timestamp) / 1000);
    if (times.length === 0) return [Date.now() / 1000 - 1800, Date.now() / 1000 + 1800];
    const [lo, hi] = [Math.min(...times), Math.max(...times)];
    return lo === hi ? [lo - 1800, hi + 1800] : [lo, hi];
  }

  private data(): uPlot.AlignedData {
    const h = this.history;
    return [h.map((p) => Date.parse(p.timestamp) / 1000), h.map((p) => p.score), h.map((p) => p.projects ?? null), h.map((p) => p.services ?? null), h.map((p) => p.compliance ?? null)];
  }

  private width(): number {
    return Math.max(240, this.container.clientWidth || 600);
  }

  /** A text summary for screen readers: the chart itself is a canvas. */
  private describe(): void {
    const h = this.history;
    const last = h[h.length - 1];
    this.container.setAttribute(
      'aria-label',
      last ? `Health score over time: ${h.length} checks from ${new Date(h[0]!.timestamp).toLocaleString()}; latest ${last.score}%, lowest ${Math.min(...h.map((p) => p.score))}%` : 'Health score over time: no checks yet',
    );
  }
}

// Chart.js with only the parts the page uses (tree-shaken), loaded after the first paint:
// the cards never wait for it.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Legend, Tooltip);
Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
Chart.defaults.color = '#3d4752';
Chart.defaults.animation = false;

export interface Series {
  label: string;
  /** Null: no value (a gap in a line). */
  data: (number | null)[];
  color: string;
  /** Line charts: a thicker, dashed line (e.g. the total). */
  emphasis?: boolean;
}

export interface ChartSpec {
  kind: 'bar' | 'line';
  labels: string[];
  series: Series[];
  stacked?: boolean;
  /** Formats the value axis and tooltips (the page's locale). */
  format: (value: number) => string;
  /** Line charts: lines are dotted from this point on (into months that are not complete yet). */
  dashedFrom?: number;
}

/** How a line runs into an incomplete month: dotted, whatever its own dash. */
const INCOMPLETE_DASH = [2, 4];

const charts = new Map<HTMLCanvasElement, Chart>();

function configuration(spec: ChartSpec): ChartConfiguration {
  const datasets = spec.series.map((s) =>
    spec.kind === 'bar'
      ? { label: s.label, data: s.data, backgroundColor: s.color, borderWidth: 0, maxBarThickness: 48 }
      : {
          label: s.label,
          data: s.data,
          borderColor: s.color,
          backgroundColor: s.color,
          borderWidth: s.emphasis ? 3 : 2,
          borderDash: s.emphasis ? [6, 4] : [],
          pointRadius: s.emphasis ? 3 : 2,
          tension: 0.25,
          ...(spec.dashedFrom === undefined
            ? {}
            : { segment: { borderDash: (c: { p0DataIndex: number }) => (c.p0DataIndex >= spec.dashedFrom! ? INCOMPLETE_DASH : undefined) } }),
        },
  );
  return {
    type: spec.kind,
    data: { labels: spec.labels, datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      plugins: {
        legend: { position: 'bottom', labels: { boxWidth: 12, boxHeight: 12 } },
        tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${item.raw === null ? '–' : spec.format(Number(item.raw))}` } },
      },
      scales: {
        x: { stacked: spec.stacked, grid: { display: false } },
        y: { stacked: spec.stacked, beginAtZero: true, ticks: { precision: 0, callback: (value) => spec.format(Number(value)) } },
      },
    },
  } as ChartConfiguration;
}

/** Draws a chart on the canvas, or replaces the data of the chart already there. */
export function drawChart(canvas: HTMLCanvasElement, spec: ChartSpec): void {
  charts.get(canvas)?.destroy();
  charts.set(canvas, new Chart(canvas, configuration(spec)));
}

/** Forgets charts whose canvas left the page. */
export function releaseDetached(): void {
  for (const [canvas, chart] of charts) {
    if (!canvas.isConnected) {
      chart.destroy();
      charts.delete(canvas);
    }
  }
}

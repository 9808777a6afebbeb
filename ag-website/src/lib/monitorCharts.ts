/**
 * Line charts of the monitor's last hour (and the same figures as tables). The server samples
 * and sums; these only arrange the points.
 */
import { Chart, LineController, LineElement, Legend } from 'chart.js';
import type { MonitorHistory, MonitorPoint } from '@/api/monitor';
import type { ChartSpec } from './charts';

Chart.register(LineController, LineElement, Legend);

const COLOURS = ['#3465a4', '#c0392b', '#4e9a06', '#f57900', '#75507b', '#555753'];
const shared = { animation: false, responsive: true, maintainAspectRatio: false } as const;
const MiB = 1024 * 1024;

export function clock(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function bytesText(bytes: number): string {
  if (bytes >= 1024 * MiB) return `${(bytes / (1024 * MiB)).toFixed(1)} GiB`;
  if (bytes >= MiB) return `${(bytes / MiB).toFixed(1)} MiB`;
  return `${Math.round(bytes / 1024)} KiB`;
}

function lines(points: MonitorPoint[], series: { label: string; values: number[] }[], yTitle: string): ChartSpec {
  const labels = points.map((p) => clock(p.time));
  return {
    config: {
      type: 'line',
      data: {
        labels,
        datasets: series.map((s, i) => ({
          label: s.label,
          data: s.values,
          borderColor: COLOURS[i % COLOURS.length],
          backgroundColor: COLOURS[i % COLOURS.length],
          // Few points (a fresh hour) would draw no line: show them as dots.
          pointRadius: points.length <= 30 ? 3 : 0,
          borderWidth: 2,
        })),
      },
      options: {
        ...shared,
        plugins: { legend: { display: series.length > 1 } },
        scales: { y: { beginAtZero: true, title: { display: true, text: yTitle } }, x: { ticks: { maxTicksLimit: 8 } } },
      },
    },
    table: { headers: ['Time', ...series.map((s) => s.label)], rows: labels.map((l, i) => [l, ...series.map((s) => s.values[i] ?? 0)]) },
  };
}

export function sandboxesChart(h: MonitorHistory): ChartSpec {
  return lines(h.points, [{ label: 'Sandboxes', values: h.points.map((p) => p.sandboxes) }], 'sandboxes');
}

export function cpuChart(h: MonitorHistory): ChartSpec {
  return lines(h.points, [{ label: 'CPU (% of one core)', values: h.points.map((p) => p.cpu_percent) }], '% of one core');
}

export function memoryChart(h: MonitorHistory): ChartSpec {
  return lines(
    h.points,
    [
      { label: 'Memory (MiB)', values: h.points.map((p) => Math.round(p.memory_bytes / MiB)) },
      { label: 'Disk (tmpfs, MiB)', values: h.points.map((p) => Math.round(p.disk_bytes / MiB)) },
    ],
    'MiB',
  );
}

function queueNames(h: MonitorHistory): string[] {
  return h.points[0]?.queues.map((q) => q.queue) ?? [];
}

export function pendingChart(h: MonitorHistory): ChartSpec {
  const series = queueNames(h).map((name) => ({
    label: name,
    values: h.points.map((p) => p.queues.find((q) => q.queue === name)?.pending ?? 0),
  }));
  return lines(h.points, series, 'jobs waiting');
}

export function waitChart(h: MonitorHistory): ChartSpec {
  const series = queueNames(h).map((name) => ({
    label: name,
    values: h.points.map((p) => p.queues.find((q) => q.queue === name)?.oldest_wait_s ?? 0),
  }));
  return lines(h.points, series, 'oldest wait (s)');
}

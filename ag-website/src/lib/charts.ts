/**
 * Chart.js configurations (and the same figures as tables, for screen readers and copying)
 * for the statistics page. The server computes every number; these only arrange them.
 */
import type { ChartConfiguration } from 'chart.js';
import type { ProjectStatistics, StatsBin } from '@/api/types';

export interface Table {
  headers: string[];
  rows: (string | number)[][];
}

export interface ChartSpec {
  config: ChartConfiguration;
  table: Table;
}

const BLUE = '#3465a4';
const RED = '#c0392b';

/** Most-failed tests shown in the chart (all of them are in its table). */
export const TESTS_SHOWN = 20;

const shared = { animation: false, responsive: true, maintainAspectRatio: false } as const;

function barsOf(bins: StatsBin[], label: string, unit: string): ChartSpec {
  return {
    config: {
      type: 'bar',
      data: { labels: bins.map((b) => b.label), datasets: [{ label, data: bins.map((b) => b.count), backgroundColor: BLUE, maxBarThickness: 64 }] },
      options: { ...shared, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    },
    table: { headers: [label, unit], rows: bins.map((b) => [b.label, b.count]) },
  };
}

export function finalScoreChart(stats: ProjectStatistics): ChartSpec {
  return barsOf(stats.final_score_histogram, 'Final graded score', 'groups');
}

export const percentText = (value: number): string => `${Math.round(value * 10) / 10} %`;

export function testsChart(stats: ProjectStatistics): ChartSpec {
  const rate = (t: ProjectStatistics['tests'][number]): number => (t.total ? (100 * t.passed) / t.total : 0);
  const shown = stats.tests.slice(0, TESTS_SHOWN);
  return {
    config: {
      type: 'bar',
      data: {
        labels: shown.map((t) => `${t.suite_name}: ${t.case_name}`),
        datasets: [{ label: 'Passed (% of final graded submissions)', data: shown.map(rate), backgroundColor: shown.map((t) => (rate(t) < 50 ? RED : BLUE)) }],
      },
      options: {
        ...shared,
        indexAxis: 'y',
        plugins: { legend: { display: false } },
        scales: { x: { min: 0, max: 100, title: { display: true, text: '% passed' } } },
      },
    },
    table: {
      headers: ['Test', 'Passed', 'Of', '% passed'],
      rows: stats.tests.map((t) => [`${t.suite_name}: ${t.case_name}`, t.passed, t.total, percentText(rate(t))]),
    },
  };
}

export function firstVsFinalChart(stats: ProjectStatistics): ChartSpec {
  const points = stats.first_vs_final.map((p) => ({ x: p.first_percent, y: p.final_percent }));
  return {
    config: {
      type: 'scatter',
      // Unclipped, so groups at 0 % or 100 % show whole at the edges.
      data: { datasets: [{ label: 'Groups', data: points, backgroundColor: BLUE, pointRadius: 5, clip: false }] },
      options: {
        ...shared,
        plugins: { legend: { display: false } },
        scales: {
          x: { min: 0, max: 100, title: { display: true, text: 'First graded submission (%)' } },
          y: { min: 0, max: 100, title: { display: true, text: 'Final graded submission (%)' } },
        },
      },
    },
    table: {
      headers: ['Group', 'First (%)', 'Final (%)'],
      rows: stats.first_vs_final.map((p) => [p.group_id, percentText(p.first_percent), percentText(p.final_percent)]),
    },
  };
}

const day = (iso: string): string => new Date(iso).toLocaleDateString(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
const hour = (iso: string): string =>
  new Date(iso).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

export function perDayChart(stats: ProjectStatistics): ChartSpec {
  return barsOf(
    stats.submissions_per_day.map((d) => ({ label: day(d.start), count: d.count })),
    'Day (UTC)',
    'submissions',
  );
}

export function perHourChart(stats: ProjectStatistics): ChartSpec {
  return barsOf(
    stats.submissions_per_hour.map((h) => ({ label: hour(h.start), count: h.count })),
    'Hour',
    'submissions',
  );
}

export function queueWaitChart(stats: ProjectStatistics): ChartSpec {
  return barsOf(stats.queue_waits.bins, 'Queue wait', 'submissions');
}

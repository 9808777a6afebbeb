import { describe, expect, it } from 'vitest';
import type { ProjectStatistics } from '@/api/types';
import { finalScoreChart, firstVsFinalChart, perHourChart, queueWaitChart, testsChart, TESTS_SHOWN } from '@/lib/charts';

function stats(overrides: Partial<ProjectStatistics> = {}): ProjectStatistics {
  return {
    groups: 2,
    groups_with_final: 2,
    submissions: 3,
    by_status: [{ status: 'finished_grading', count: 3 }],
    final_score_mean_percent: 50,
    final_score_median_percent: 50,
    final_score_histogram: Array.from({ length: 10 }, (_, i) => ({ label: `${10 * i}-${10 * i + 10} %`, count: i === 9 ? 2 : 0 })),
    tests: [
      { suite_id: 1, suite_name: 'Public', case_id: 2, case_name: 'hard', passed: 1, total: 4 },
      { suite_id: 1, suite_name: 'Public', case_id: 1, case_name: 'easy', passed: 4, total: 4 },
    ],
    first_vs_final: [{ group_id: 5, first_percent: 20, final_percent: 90 }],
    submissions_per_day: [{ start: '2026-05-02T00:00:00Z', count: 3 }],
    submissions_per_hour: [{ start: '2026-05-02T10:00:00Z', count: 1 }],
    queue_waits: { sample: 3, median_seconds: 12, bins: [{ label: '< 10 s', count: 1 }, { label: '10-30 s', count: 2 }] },
    ...overrides,
  };
}

describe('statistics charts', () => {
  it('draws the server’s bins as they are, and lists them as a table', () => {
    const spec = finalScoreChart(stats());
    expect(spec.config.type).toBe('bar');
    expect(spec.config.data.datasets[0]!.data).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
    expect(spec.table.rows.at(-1)).toEqual(['90-100 %', 2]);
    expect(queueWaitChart(stats()).table.rows).toEqual([['< 10 s', 1], ['10-30 s', 2]]);
    expect(perHourChart(stats()).config.data.datasets[0]!.data).toEqual([1]);
  });

  it('shows pass rates in percent, most failed first as the server sorted them, failing ones in red', () => {
    const spec = testsChart(stats());
    expect(spec.config.data.labels).toEqual(['Public: hard', 'Public: easy']);
    expect(spec.config.data.datasets[0]!.data).toEqual([25, 100]);
    const colors = spec.config.data.datasets[0]!.backgroundColor as string[];
    expect(colors[0]).not.toBe(colors[1]);
    expect(spec.table.rows[0]).toEqual(['Public: hard', 1, 4, '25 %']);
  });

  it('charts only the most failed tests but tables all of them', () => {
    const many = Array.from({ length: TESTS_SHOWN + 5 }, (_, i) => ({ suite_id: 1, suite_name: 'S', case_id: i, case_name: `t${i}`, passed: i, total: 40 }));
    const spec = testsChart(stats({ tests: many }));
    expect(spec.config.data.labels).toHaveLength(TESTS_SHOWN);
    expect(spec.table.rows).toHaveLength(TESTS_SHOWN + 5);
  });

  it('plots each group’s first score against its final one', () => {
    const spec = firstVsFinalChart(stats());
    expect(spec.config.type).toBe('scatter');
    expect(spec.config.data.datasets[0]!.data).toEqual([{ x: 20, y: 90 }]);
    expect(spec.table.rows).toEqual([[5, '20 %', '90 %']]);
  });
});

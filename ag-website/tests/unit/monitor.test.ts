import { describe, expect, it } from 'vitest';
import type { MonitorHistory } from '@/api/monitor';
import { pollInterval } from '@/composables/useMonitor';
import { bytesText, memoryChart, pendingChart } from '@/lib/monitorCharts';

const history: MonitorHistory = {
  step_seconds: 10,
  points: [
    {
      time: '2026-12-05T14:00:00Z', sandboxes: 2, cpu_percent: 50, memory_bytes: 100 * 1024 * 1024, disk_bytes: 4 * 1024 * 1024,
      queues: [{ queue: 'grader', pending: 3, running: 1, oldest_wait_s: 12 }, { queue: 'fast', pending: 0, running: 0, oldest_wait_s: 0 }],
    },
    {
      time: '2026-12-05T14:00:10Z', sandboxes: 1, cpu_percent: 20, memory_bytes: 50 * 1024 * 1024, disk_bytes: 0,
      queues: [{ queue: 'grader', pending: 1, running: 1, oldest_wait_s: 2 }, { queue: 'fast', pending: 5, running: 0, oldest_wait_s: 1 }],
    },
  ],
};

describe('monitor', () => {
  it('polls at the server-named interval, kept within 1–5 s', () => {
    expect(pollInterval(2)).toBe(2000);
    expect(pollInterval(0.2)).toBe(1000);
    expect(pollInterval(60)).toBe(5000);
    expect(pollInterval(undefined)).toBe(2000);
  });

  it('writes sizes in the unit that reads best', () => {
    expect(bytesText(512 * 1024)).toBe('512 KiB');
    expect(bytesText(80 * 1024 * 1024)).toBe('80.0 MiB');
    expect(bytesText(3 * 1024 ** 3)).toBe('3.0 GiB');
  });

  it('charts one series per queue, and memory with disk, in MiB', () => {
    const pending = pendingChart(history);
    expect(pending.config.data.datasets.map((d) => [d.label, d.data])).toEqual([['grader', [3, 1]], ['fast', [0, 5]]]);
    expect(pending.table.headers).toEqual(['Time', 'grader', 'fast']);
    const memory = memoryChart(history);
    expect(memory.table.rows.map((row) => row.slice(1))).toEqual([[100, 4], [50, 0]]);
  });
});

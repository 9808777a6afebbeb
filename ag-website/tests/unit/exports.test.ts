import { flushPromises } from '@vue/test-utils';
import { effectScope } from 'vue';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { listExports, startExport } from '@/api/exports';
import type { ExportTask } from '@/api/types';
import { EXPORT_POLL_MS, useExports } from '@/composables/useExports';

vi.mock('@/api/exports', () => ({ listExports: vi.fn(), startExport: vi.fn(), getExport: vi.fn() }));

const task = (id: number, state: ExportTask['state'], progress = 0) => ({ id, state, progress }) as ExportTask;

beforeEach(() => {
  vi.useFakeTimers();
  vi.clearAllMocks();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('useExports', () => {
  it('asks again every second while a download is being built, and stops once none is', async () => {
    vi.mocked(listExports)
      .mockResolvedValueOnce([task(1, 'queued')])
      .mockResolvedValueOnce([task(1, 'building', 40)])
      .mockResolvedValue([task(1, 'done', 100)]);
    const scope = effectScope();
    const state = scope.run(() => useExports(() => 7))!;
    await flushPromises();
    expect(state.building.value).toBe(true);
    await vi.advanceTimersByTimeAsync(EXPORT_POLL_MS);
    expect(state.exports.data.value?.[0]?.progress).toBe(40);
    await vi.advanceTimersByTimeAsync(EXPORT_POLL_MS);
    expect(state.building.value).toBe(false);
    expect(listExports).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(EXPORT_POLL_MS * 5);
    expect(listExports).toHaveBeenCalledTimes(3);
    scope.stop();
  });

  it('starts a download with the chosen options and lists it', async () => {
    vi.mocked(listExports).mockResolvedValueOnce([]).mockResolvedValue([task(2, 'done', 100)]);
    vi.mocked(startExport).mockResolvedValue(task(2, 'queued'));
    const scope = effectScope();
    const state = scope.run(() => useExports(() => 7))!;
    await flushPromises();
    const input = { kind: 'all_scores' as const, include_staff: true, include_pending_extensions: false };
    expect(await state.start(input)).toBe(true);
    expect(startExport).toHaveBeenCalledWith(7, input);
    expect(state.exports.data.value?.map((e) => e.id)).toEqual([2]);
    scope.stop();
  });
});

import { flushPromises } from '@vue/test-utils';
import { effectScope } from 'vue';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cancelRerun, listReruns, startRerun } from '@/api/reruns';
import { listSuites } from '@/api/testConfig';
import type { Rerun } from '@/api/types';
import { RERUN_POLL_MS, useReruns } from '@/composables/useReruns';

vi.mock('@/api/reruns', () => ({ listReruns: vi.fn(), startRerun: vi.fn(), cancelRerun: vi.fn() }));
vi.mock('@/api/testConfig', () => ({ listSuites: vi.fn() }));

const rerun = (id: number, finished: boolean) => ({ id, finished }) as Rerun;

beforeEach(() => {
  vi.useFakeTimers();
  vi.clearAllMocks();
  vi.mocked(listSuites).mockResolvedValue([]);
});

afterEach(() => {
  vi.useRealTimers();
});

describe('useReruns', () => {
  it('asks again every few seconds while a rerun runs, and stops once none does', async () => {
    vi.mocked(listReruns).mockResolvedValueOnce([rerun(1, false)]).mockResolvedValueOnce([rerun(1, false)]).mockResolvedValue([rerun(1, true)]);
    const scope = effectScope();
    const state = scope.run(() => useReruns(() => 7))!;
    await flushPromises();
    expect(state.running.value).toBe(true);
    await vi.advanceTimersByTimeAsync(RERUN_POLL_MS);
    await vi.advanceTimersByTimeAsync(RERUN_POLL_MS);
    expect(listReruns).toHaveBeenCalledTimes(3);
    expect(state.running.value).toBe(false);
    await vi.advanceTimersByTimeAsync(RERUN_POLL_MS * 5);
    expect(listReruns).toHaveBeenCalledTimes(3);
    scope.stop();
  });

  it('reports submissions a start left out, and cancels', async () => {
    vi.mocked(listReruns).mockResolvedValue([]);
    vi.mocked(startRerun).mockResolvedValue({ id: 5, skipped: 2 } as never);
    vi.mocked(cancelRerun).mockResolvedValue(rerun(5, true));
    const scope = effectScope();
    const state = scope.run(() => useReruns(() => 7))!;
    expect(await state.start({ selection: 'latest' })).toBe(true);
    expect(state.skipped.value).toBe(2);
    await state.cancel(rerun(5, false));
    expect(cancelRerun).toHaveBeenCalledWith(5);
    expect(listReruns).toHaveBeenCalledTimes(3);
    scope.stop();
  });
});

import { flushPromises } from '@vue/test-utils';
import { effectScope } from 'vue';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { getMyGroup, listInvitations } from '@/api/groups';
import { getProject, listExpectedFiles } from '@/api/projects';
import { getMyLimits, listMySubmissions } from '@/api/submissions';
import type { SubmissionLimits } from '@/api/types';
import { msUntilLimitsChange, useProjectPage } from '@/composables/useProjectPage';
import { deferred, limits, project } from './support/fixtures';

vi.mock('@/api/groups', () => ({ getMyGroup: vi.fn(), listInvitations: vi.fn() }));
vi.mock('@/api/projects', () => ({ getProject: vi.fn(), listExpectedFiles: vi.fn() }));
vi.mock('@/api/submissions', () => ({ getMyLimits: vi.fn(), listMySubmissions: vi.fn() }));

const LOADERS = [getProject, getMyGroup, listInvitations, listExpectedFiles, getMyLimits, listMySubmissions] as const;

beforeEach(() => {
  vi.mocked(getProject).mockReset().mockResolvedValue(project());
  vi.mocked(getMyGroup).mockReset().mockResolvedValue(null);
  vi.mocked(listInvitations).mockReset().mockResolvedValue([]);
  vi.mocked(listExpectedFiles).mockReset().mockResolvedValue([]);
  vi.mocked(getMyLimits).mockReset().mockResolvedValue(limits());
  vi.mocked(listMySubmissions).mockReset().mockResolvedValue([]);
});

afterEach(() => {
  vi.useRealTimers();
});

function inScope<T>(build: () => T): { value: T; stop: () => void } {
  const scope = effectScope();
  const value = scope.run(build)!;
  return { value, stop: () => scope.stop() };
}

describe('useProjectPage', () => {
  it('asks for everything the page shows at once, before any answer arrives', async () => {
    const pending = LOADERS.map(() => deferred<never>());
    LOADERS.forEach((loader, i) => vi.mocked(loader).mockReturnValue(pending[i]!.promise));

    const { value: page, stop } = inScope(() => useProjectPage(() => 7));
    for (const loader of LOADERS) expect(loader).toHaveBeenCalledWith(7);
    expect(page.project.loading.value && page.limits.loading.value && page.submissions.loading.value).toBe(true);

    pending.forEach((p) => p.reject(new Error('offline')));
    await page.loaded;
    expect(page.project.error.value?.message).toBe('offline');
    stop();
  });

  it('shows the answers, and after a submit asks again only for the submissions and the limits', async () => {
    const { value: page, stop } = inScope(() => useProjectPage(() => 7));
    await page.loaded;
    expect(page.project.data.value?.course_name).toBe('EECS 280');
    expect(page.limits.data.value?.submissions_remaining_today).toBe(2);

    vi.mocked(getMyLimits).mockResolvedValue(limits({ submissions_used_today: 2, submissions_remaining_today: 1 }));
    await page.afterSubmit();
    expect(page.limits.data.value?.submissions_remaining_today).toBe(1);
    expect(getMyLimits).toHaveBeenCalledTimes(2);
    expect(listMySubmissions).toHaveBeenCalledTimes(2);
    expect(getProject).toHaveBeenCalledTimes(1);
    expect(getMyGroup).toHaveBeenCalledTimes(1);
    stop();
  });

  it('asks for the limits again just after the deadline passes, not before', async () => {
    vi.useFakeTimers({ now: new Date('2026-05-08T23:58:00Z') });
    vi.mocked(getMyLimits).mockResolvedValue(limits({ deadline: '2026-05-08T23:59:00Z', submissions_per_day: null }));
    const { value: page, stop } = inScope(() => useProjectPage(() => 7));
    await page.loaded;
    await flushPromises();
    expect(getMyLimits).toHaveBeenCalledTimes(1);

    await vi.advanceTimersByTimeAsync(60_000);
    expect(getMyLimits).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(getMyLimits).toHaveBeenCalledTimes(2);

    stop();
    await vi.advanceTimersByTimeAsync(48 * 3600_000);
    expect(getMyLimits).toHaveBeenCalledTimes(2);
  });
});

describe('msUntilLimitsChange', () => {
  const now = new Date('2026-05-01T12:00:00Z');
  const at = (overrides: Partial<SubmissionLimits>): number | null => msUntilLimitsChange(limits(overrides), now);

  it('waits until just past the sooner of the deadline and the daily reset', () => {
    expect(at({ deadline: '2026-05-01T12:10:00Z', daily_limit_resets_at: '2026-05-01T08:30:00-04:00' })).toBe(10 * 60_000 + 1000);
    expect(at({ deadline: '2026-05-01T12:10:00Z', daily_limit_resets_at: '2026-05-01T08:05:00-04:00' })).toBe(5 * 60_000 + 1000);
  });

  it('ignores the reset without a daily limit, and instants already past', () => {
    expect(at({ deadline: '2026-05-01T11:00:00Z', daily_limit_resets_at: '2026-05-01T08:05:00-04:00', submissions_per_day: null })).toBeNull();
    expect(at({ deadline: null, daily_limit_resets_at: '2026-05-01T08:05:00-04:00' })).toBe(5 * 60_000 + 1000);
  });

  it('looks again within a day when both are further away', () => {
    expect(at({ deadline: '2026-06-01T00:00:00Z', daily_limit_resets_at: '2026-06-01T08:00:00-04:00' })).toBe(24 * 3600_000);
  });
});

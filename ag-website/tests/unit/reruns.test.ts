import { flushPromises, mount } from '@vue/test-utils';
import { effectScope } from 'vue';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { listMutationSuites } from '@/api/mutation';
import { cancelRerun, listReruns, startRerun } from '@/api/reruns';
import { listSuites } from '@/api/testConfig';
import type { MutationSuite, Rerun, Suite } from '@/api/types';
import RerunsPanel from '@/components/admin/RerunsPanel.vue';
import { RERUN_POLL_MS, rerunSuiteSelection, useReruns } from '@/composables/useReruns';

vi.mock('@/api/reruns', () => ({ listReruns: vi.fn(), startRerun: vi.fn(), cancelRerun: vi.fn() }));
vi.mock('@/api/testConfig', () => ({ listSuites: vi.fn() }));
vi.mock('@/api/mutation', () => ({ listMutationSuites: vi.fn() }));

const rerun = (id: number, finished: boolean) => ({ id, finished }) as Rerun;

beforeEach(() => {
  vi.useFakeTimers();
  vi.clearAllMocks();
  vi.mocked(listSuites).mockResolvedValue([]);
  vi.mocked(listMutationSuites).mockResolvedValue([]);
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
    expect(await state.start({ selection: 'latest', image_choice: 'current' })).toBe(true);
    expect(state.skipped.value).toBe(2);
    await state.cancel(rerun(5, false));
    expect(cancelRerun).toHaveBeenCalledWith(5);
    expect(listReruns).toHaveBeenCalledTimes(3);
    scope.stop();
  });
});

describe('rerunSuiteSelection', () => {
  it('maps whole suites to null and lists mutation suites under "mutation"', () => {
    expect(rerunSuiteSelection([], [])).toBeUndefined();
    expect(rerunSuiteSelection([3, 4], [])).toEqual({ '3': null, '4': null });
    expect(rerunSuiteSelection([], [9])).toEqual({ mutation: [9] });
    expect(rerunSuiteSelection([3], [9, 11])).toEqual({ '3': null, mutation: [9, 11] });
  });
});

describe('RerunsPanel', () => {
  it('offers the mutation suites beside the ordinary ones and sends the ticked ones', async () => {
    vi.useRealTimers();
    vi.mocked(listReruns).mockResolvedValue([]);
    vi.mocked(listSuites).mockResolvedValue([{ id: 3, name: 'Public tests' } as Suite]);
    vi.mocked(listMutationSuites).mockResolvedValue([{ id: 9, name: 'Your tests' } as MutationSuite]);
    vi.mocked(startRerun).mockResolvedValue({ id: 5, skipped: 0 } as never);
    const wrapper = mount(RerunsPanel, { props: { projectId: 7, canEdit: true } });
    await flushPromises();
    const labels = wrapper.findAll('fieldset label').map((l) => l.text());
    expect(labels).toEqual(['Public tests', 'Your tests (mutation testing)']);

    await wrapper.find('#rerun-mutation-suite-9').setValue(true);
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    expect(startRerun).toHaveBeenLastCalledWith(7, { selection: 'latest', image_choice: 'current', suite_selection: { mutation: [9] } });

    await wrapper.find('#rerun-suite-3').setValue(true);
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    expect(startRerun).toHaveBeenLastCalledWith(7, { selection: 'latest', image_choice: 'current', suite_selection: { '3': null, mutation: [9] } });

    await wrapper.find('#rerun-suite-3').setValue(false);
    await wrapper.find('#rerun-mutation-suite-9').setValue(false);
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    expect(startRerun).toHaveBeenLastCalledWith(7, { selection: 'latest', image_choice: 'current' });
    wrapper.unmount();
  });

  it('reruns on the original images when asked, and says which images each rerun used', async () => {
    vi.useRealTimers();
    const listed = { id: 4, selection: 'all', image_choice: 'original', creator: 'admin', created_at: '2026-01-05T10:00:00Z' };
    vi.mocked(listReruns).mockResolvedValue([{ ...listed, finished: true, completed: 1, failed: 0, cancelled: 0, total: 1, percent: 100 } as Rerun]);
    vi.mocked(listSuites).mockResolvedValue([]);
    vi.mocked(listMutationSuites).mockResolvedValue([]);
    vi.mocked(startRerun).mockResolvedValue({ id: 5, skipped: 0 } as never);
    const wrapper = mount(RerunsPanel, { props: { projectId: 7, canEdit: true } });
    await flushPromises();
    expect(wrapper.find('[data-testid="rerun"]').text()).toContain('all on the original images');

    const image = wrapper.findAll('select').find((s) => s.findAll('option').some((o) => o.attributes('value') === 'original'));
    await image!.setValue('original');
    expect(wrapper.text()).toContain('exact image (by digest)');
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    expect(startRerun).toHaveBeenLastCalledWith(7, { selection: 'latest', image_choice: 'original' });
    wrapper.unmount();
  });
});

import { flushPromises, mount } from '@vue/test-utils';
import { defineComponent, h } from 'vue';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { listRoster } from '@/api/courses';
import * as api from '@/api/handgrading';
import type { HandgradingProgress, HandgradingProgressRow, Role, RosterUser } from '@/api/types';
import ProgressTable from '@/components/handgrading/ProgressTable.vue';
import { graderOptions, useHandgradingOverview } from '@/composables/useHandgrading';

vi.mock('@/api/courses', () => ({ listRoster: vi.fn() }));
vi.mock('@/api/handgrading', () => ({ getProgress: vi.fn(), assignGrader: vi.fn() }));

const person = (username: string, first_name = '', last_name = '') => ({ id: 0, username, email: username, first_name, last_name }) as RosterUser;
const ROSTERS: Partial<Record<Role, RosterUser[]>> = {
  handgrader: [person('gina@e2e.test', 'Gina', 'Grader')],
  staff: [person('sam@e2e.test'), person('ada@e2e.test', 'Ada', 'Admin')],
  admin: [person('ada@e2e.test', 'Ada', 'Admin')],
};
const ROWS = [{ group: 3, status: 'not_started', submission: 30, members: ['alice@e2e.test'], grader: null, total_points: null }] as HandgradingProgressRow[];

function host(isStaff: boolean) {
  return defineComponent(() => {
    const overview = useHandgradingOverview(() => 7);
    return () => h(ProgressTable, { projectId: 7, courseId: 5, rows: ROWS, isStaff, me: 'ada@e2e.test', overview });
  });
}

beforeEach(() => {
  vi.clearAllMocks();
  vi.mocked(listRoster).mockImplementation(async (_course, role) => ROSTERS[role] ?? []);
  vi.mocked(api.getProgress).mockResolvedValue({ rubric: null, groups: ROWS } as unknown as HandgradingProgress);
  vi.mocked(api.assignGrader).mockResolvedValue({ changed: 1 });
});

describe('graderOptions', () => {
  it('lists each person once, sorted, with their name and every grader role', () => {
    const options = graderOptions([
      { role: 'staff', user: person('sam@x') },
      { role: 'staff', user: person('ada@x', 'Ada', 'Admin') },
      { role: 'admin', user: person('ada@x', 'Ada', 'Admin') },
    ]);
    expect(options).toEqual([
      { value: 'ada@x', label: 'Ada Admin (ada@x) — staff, admin' },
      { value: 'sam@x', label: 'sam@x — staff' },
    ]);
  });
});

describe('ProgressTable assignment', () => {
  it("offers the course's handgraders and staff and assigns the picked one to the ticked groups", async () => {
    const wrapper = mount(host(true), { global: { stubs: { RouterLink: true } } });
    await flushPromises();
    expect(listRoster).toHaveBeenCalledWith(5, 'handgrader');
    const select = wrapper.get('form.assign select');
    expect(select.findAll('option').map((o) => o.text())).toEqual([
      'Nobody (unassign)',
      'Ada Admin (ada@e2e.test) — staff, admin',
      'Gina Grader (gina@e2e.test) — handgrader',
      'sam@e2e.test — staff',
    ]);
    await wrapper.get('[aria-label="Select alice@e2e.test"]').setValue(true);
    await select.setValue('gina@e2e.test');
    await wrapper.get('form.assign').trigger('submit');
    await flushPromises();
    expect(api.assignGrader).toHaveBeenCalledWith(7, [3], 'gina@e2e.test');

    await wrapper.get('[aria-label="Select alice@e2e.test"]').setValue(true);
    await select.setValue('');
    await wrapper.get('form.assign').trigger('submit');
    await flushPromises();
    expect(api.assignGrader).toHaveBeenLastCalledWith(7, [3], null);
    wrapper.unmount();
  });

  it('asks for no roster when the viewer is a handgrader', async () => {
    const wrapper = mount(host(false), { global: { stubs: { RouterLink: true } } });
    await flushPromises();
    expect(listRoster).not.toHaveBeenCalled();
    expect(wrapper.find('form.assign').exists()).toBe(false);
    wrapper.unmount();
  });
});

import { flushPromises, mount, type DOMWrapper } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createGroup, listGroups, mergeGroups } from '@/api/groups';
import { ApiError } from '@/api/http';
import type { Group } from '@/api/types';
import GroupsPanel from '@/components/admin/GroupsPanel.vue';
import { parseMembers, useProjectGroups } from '@/composables/useProjectGroups';

vi.mock('@/api/groups', () => ({ listGroups: vi.fn(), createGroup: vi.fn(), mergeGroups: vi.fn() }));

function group(id: number, usernames: string[], overrides: Partial<Group> = {}): Group {
  return {
    id,
    project: 7,
    members: usernames.map((username, i) => ({ id: id * 10 + i, username })),
    extended_due_date: null,
    bonus_submissions_remaining: 0,
    late_days_used: {},
    num_submissions: 0,
    created_at: '2026-01-01T00:00:00Z',
    last_modified: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}

const DAVE = group(1, ['dave@x.test'], { num_submissions: 2 });
const ERIN = group(2, ['erin@x.test'], { num_submissions: 1 });
const MERGED = group(1, ['dave@x.test', 'erin@x.test'], { num_submissions: 3 });
const refusal = (message: string, field: string) => new ApiError(400, 'merge_same_group', message, { [field]: [message] });

beforeEach(() => {
  vi.mocked(listGroups).mockReset().mockResolvedValue([DAVE, ERIN]);
  vi.mocked(createGroup).mockReset();
  vi.mocked(mergeGroups).mockReset();
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('parseMembers', () => {
  it('takes names separated by commas, semicolons, spaces or new lines, and ignores empty ones', () => {
    expect(parseMembers(' dave@x.test,erin@x.test;\n frank  ,, ')).toEqual(['dave@x.test', 'erin@x.test', 'frank']);
    expect(parseMembers('   ')).toEqual([]);
  });
});

describe('useProjectGroups', () => {
  it('merges the other group into the chosen one, then reloads the list and reports the merged group', async () => {
    const state = useProjectGroups(() => 7);
    await flushPromises();
    expect(state.options.value).toEqual([
      { value: 1, label: 'dave@x.test' },
      { value: 2, label: 'erin@x.test' },
    ]);
    vi.mocked(mergeGroups).mockResolvedValue(MERGED);
    vi.mocked(listGroups).mockResolvedValue([MERGED]);

    expect(await state.merge(1, 2)).toEqual(MERGED);
    expect(mergeGroups).toHaveBeenCalledWith(1, 2);
    expect(listGroups).toHaveBeenCalledTimes(2);
    expect(state.groups.data.value).toEqual([MERGED]);
    expect(state.lastChanged.value).toEqual({ kind: 'merged', group: MERGED });
  });

  it('keeps a refused merge’s reason for its field and leaves the list as it was', async () => {
    const state = useProjectGroups(() => 7);
    await flushPromises();
    vi.mocked(mergeGroups).mockRejectedValue(refusal("A group can't be merged with itself.", 'other_group'));

    expect(await state.merge(1, 1)).toBeUndefined();
    expect(state.merging.fieldErrors('other_group')).toEqual(["A group can't be merged with itself."]);
    expect(state.lastChanged.value).toBeNull();
    expect(listGroups).toHaveBeenCalledTimes(1);
  });

  it('reports a change only once the reloaded list shows it', async () => {
    const state = useProjectGroups(() => 7);
    await flushPromises();
    let finishReload: (groups: Group[]) => void = () => undefined;
    vi.mocked(listGroups).mockReturnValue(new Promise((resolve) => (finishReload = resolve)));
    vi.mocked(mergeGroups).mockResolvedValue(MERGED);

    const merging = state.merge(1, 2);
    await flushPromises();
    expect(mergeGroups).toHaveBeenCalledWith(1, 2);
    expect(state.lastChanged.value).toBeNull();
    finishReload([MERGED]);
    await merging;
    expect(state.groups.data.value).toEqual([MERGED]);
    expect(state.lastChanged.value).toEqual({ kind: 'merged', group: MERGED });
  });

  it('creates a group from pasted names', async () => {
    const state = useProjectGroups(() => 7);
    await flushPromises();
    const frank = group(3, ['frank@x.test', 'gina@x.test']);
    vi.mocked(createGroup).mockResolvedValue(frank);

    expect(await state.create('frank@x.test, gina@x.test')).toEqual(frank);
    expect(createGroup).toHaveBeenCalledWith(7, ['frank@x.test', 'gina@x.test']);
    expect(state.lastChanged.value).toEqual({ kind: 'created', group: frank });
    expect(listGroups).toHaveBeenCalledTimes(2);
  });
});

describe('GroupsPanel', () => {
  const rows = (wrapper: ReturnType<typeof mount>) =>
    // The last cell holds the row's Edit button.
    wrapper.findAll('[data-testid="group-row"]').map((row) => row.findAll('td').map((td) => td.text()).slice(0, -1));
  const selects = (wrapper: ReturnType<typeof mount>) => wrapper.findAll('select');
  /** Picks the option shown as `label`, as a person would. */
  const choose = (select: DOMWrapper<HTMLSelectElement>, label: string) =>
    select.setValue(select.findAll('option').find((o) => o.text() === label)!.element.value);

  it('lists each group with its members and submissions', async () => {
    const wrapper = mount(GroupsPanel, { props: { projectId: 7 } });
    await flushPromises();
    expect(rows(wrapper)).toEqual([
      ['dave@x.test', '2', '—', '0'],
      ['erin@x.test', '1', '—', '0'],
    ]);
  });

  it('merges after the staff member confirms, and shows the merged group with both members', async () => {
    const confirm = vi.spyOn(window, 'confirm').mockReturnValue(true);
    const wrapper = mount(GroupsPanel, { props: { projectId: 7 } });
    await flushPromises();
    const mergeButton = wrapper.findAll('button').find((b) => b.text() === 'Merge groups')!;
    expect(mergeButton.attributes('disabled')).toBeDefined();

    vi.mocked(mergeGroups).mockResolvedValue(MERGED);
    vi.mocked(listGroups).mockResolvedValue([MERGED]);
    const [other, into] = selects(wrapper);
    await choose(other!, 'erin@x.test');
    await choose(into!, 'dave@x.test');
    expect(mergeButton.attributes('disabled')).toBeUndefined();
    await wrapper.findAll('form')[1]!.trigger('submit');
    await flushPromises();

    expect(confirm).toHaveBeenCalledWith('Merge the group of erin@x.test into the group of dave@x.test? This cannot be undone.');
    expect(mergeGroups).toHaveBeenCalledWith(1, 2);
    expect(wrapper.get('[role="status"]').text()).toBe('Merged. The group is now dave@x.test, erin@x.test.');
    expect(rows(wrapper)).toEqual([['dave@x.test, erin@x.test', '3', '—', '0']]);
  });

  it('does nothing when the staff member cancels the confirmation', async () => {
    vi.spyOn(window, 'confirm').mockReturnValue(false);
    const wrapper = mount(GroupsPanel, { props: { projectId: 7 } });
    await flushPromises();
    const [other, into] = selects(wrapper);
    await choose(other!, 'erin@x.test');
    await choose(into!, 'dave@x.test');
    await wrapper.findAll('form')[1]!.trigger('submit');
    await flushPromises();
    expect(mergeGroups).not.toHaveBeenCalled();
    expect(rows(wrapper)).toHaveLength(2);
  });

  it('shows the server’s reason under the field it names', async () => {
    vi.spyOn(window, 'confirm').mockReturnValue(true);
    vi.mocked(mergeGroups).mockRejectedValue(refusal("A group can't be merged with itself.", 'other_group'));
    const wrapper = mount(GroupsPanel, { props: { projectId: 7 } });
    await flushPromises();
    const [other, into] = selects(wrapper);
    await choose(other!, 'dave@x.test');
    await choose(into!, 'dave@x.test');
    await wrapper.findAll('form')[1]!.trigger('submit');
    await flushPromises();

    expect(other!.attributes('aria-invalid')).toBe('true');
    const describedBy = other!.attributes('aria-describedby')!;
    expect(wrapper.get(`[id="${describedBy}"]`).text()).toBe("A group can't be merged with itself.");
    expect(wrapper.find('[role="status"]').exists()).toBe(false);
  });

  it('creates a group from the names typed in', async () => {
    const frank = group(3, ['frank@x.test']);
    vi.mocked(createGroup).mockResolvedValue(frank);
    vi.mocked(listGroups).mockResolvedValueOnce([DAVE, ERIN]).mockResolvedValueOnce([DAVE, ERIN, frank]);
    const wrapper = mount(GroupsPanel, { props: { projectId: 7 } });
    await flushPromises();
    await wrapper.get('input').setValue('frank@x.test');
    await wrapper.findAll('form')[0]!.trigger('submit');
    await flushPromises();

    expect(createGroup).toHaveBeenCalledWith(7, ['frank@x.test']);
    expect(wrapper.get('[role="status"]').text()).toBe('Created the group of frank@x.test.');
    expect(rows(wrapper).map((row) => row[0])).toEqual(['dave@x.test', 'erin@x.test', 'frank@x.test']);
    expect((wrapper.get('input').element as HTMLInputElement).value).toBe('');
  });
});

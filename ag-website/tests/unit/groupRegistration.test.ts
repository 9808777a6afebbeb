import { flushPromises } from '@vue/test-utils';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { acceptInvitation, listGroups, sendInvitation, updateGroup, workAlone } from '@/api/groups';
import { ApiError } from '@/api/http';
import type { Group } from '@/api/types';
import { useGroupRegistration } from '@/composables/useGroupRegistration';
import { useProjectGroups } from '@/composables/useProjectGroups';

vi.mock('@/api/groups', () => ({
  sendInvitation: vi.fn(),
  acceptInvitation: vi.fn(),
  rejectInvitation: vi.fn(),
  withdrawInvitation: vi.fn(),
  workAlone: vi.fn(),
  listGroups: vi.fn(),
  createGroup: vi.fn(),
  mergeGroups: vi.fn(),
  updateGroup: vi.fn(),
}));

beforeEach(() => {
  vi.clearAllMocks();
});

describe('useGroupRegistration', () => {
  it('invites the partners as typed, and tells the page once it worked', async () => {
    const changed = vi.fn();
    const registration = useGroupRegistration(() => 7, changed);
    vi.mocked(sendInvitation).mockResolvedValue({ id: 1 } as never);
    expect(await registration.invite(' bob@x.test, carol@x.test;')).toBe(true);
    expect(sendInvitation).toHaveBeenCalledWith(7, ['bob@x.test', 'carol@x.test']);
    expect(changed).toHaveBeenCalledTimes(1);
  });

  it('keeps a refusal for the form and does not tell the page anything changed', async () => {
    const changed = vi.fn();
    const registration = useGroupRegistration(() => 7, changed);
    vi.mocked(workAlone).mockRejectedValue(new ApiError(400, 'group_too_small', 'Groups need 2 members.'));
    expect(await registration.workAlone()).toBe(false);
    expect(registration.action.error.value?.message).toBe('Groups need 2 members.');
    expect(changed).not.toHaveBeenCalled();

    vi.mocked(acceptInvitation).mockResolvedValue({} as never);
    expect(await registration.accept(5)).toBe(true);
    expect(acceptInvitation).toHaveBeenCalledWith(5);
    expect(changed).toHaveBeenCalledTimes(1);
  });
});

describe('useProjectGroups.update', () => {
  it('saves a group’s extension and shows the list again', async () => {
    vi.mocked(listGroups).mockResolvedValue([]);
    const groups = useProjectGroups(() => 7);
    await flushPromises();
    vi.mocked(updateGroup).mockResolvedValue({ id: 3 } as Group);
    await groups.update(3, { extended_due_date: '2026-05-10T00:00:00Z', bonus_submissions_remaining: 2 });
    expect(updateGroup).toHaveBeenCalledWith(3, { extended_due_date: '2026-05-10T00:00:00Z', bonus_submissions_remaining: 2 });
    expect(listGroups).toHaveBeenCalledTimes(2);
  });
});

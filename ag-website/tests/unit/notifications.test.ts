import { flushPromises } from '@vue/test-utils';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '@/api/http';
import { getMyNotifications, lookUpReceipt, updateMyNotifications } from '@/api/notifications';
import type { Receipt } from '@/api/types';
import { useNotificationSettings, useReceiptLookup } from '@/composables/useNotifications';

vi.mock('@/api/notifications', () => ({
  getMyNotifications: vi.fn(),
  updateMyNotifications: vi.fn(),
  lookUpReceipt: vi.fn(),
}));

beforeEach(() => {
  vi.clearAllMocks();
});

const RECEIPT: Receipt = {
  code: 'R7K2-9QXM-4TZP',
  submission_id: 12,
  project_id: 3,
  project_name: 'P1',
  group_id: 4,
  members: ['alice@x.test'],
  submitter: 'alice@x.test',
  submitted_at: '2026-12-05T10:00:00Z',
  status: 'finished_grading',
  files: [{ name: 'main.cpp', size: 24, sha256: 'ab'.repeat(32) }],
  sha256: 'cd'.repeat(32),
  receipt_created_at: '2026-12-05T10:00:01Z',
  files_unchanged: true,
};

describe('useNotificationSettings', () => {
  it('loads the choice, and shows what the server stored after a save', async () => {
    vi.mocked(getMyNotifications).mockResolvedValue({ grading_finished: true });
    vi.mocked(updateMyNotifications).mockResolvedValue({ grading_finished: false });
    const settings = useNotificationSettings();
    await flushPromises();
    expect(settings.current.data.value).toEqual({ grading_finished: true });

    expect(await settings.save({ grading_finished: false })).toBe(true);
    expect(updateMyNotifications).toHaveBeenCalledWith({ grading_finished: false });
    expect(settings.current.data.value).toEqual({ grading_finished: false });
  });

  it('keeps the old choice and the error when the save is refused', async () => {
    vi.mocked(getMyNotifications).mockResolvedValue({ grading_finished: true });
    vi.mocked(updateMyNotifications).mockRejectedValue(new ApiError(400, 'invalid', 'grading_finished: Must be a valid boolean.', { grading_finished: ['Must be a valid boolean.'] }));
    const settings = useNotificationSettings();
    await flushPromises();
    expect(await settings.save({ grading_finished: false })).toBe(false);
    expect(settings.current.data.value).toEqual({ grading_finished: true });
    expect(settings.saving.fieldErrors('grading_finished')).toEqual(['Must be a valid boolean.']);
  });
});

describe('useReceiptLookup', () => {
  it('looks a code up in its course and forgets the last receipt when the next code is unknown', async () => {
    vi.mocked(lookUpReceipt).mockResolvedValueOnce(RECEIPT);
    const lookup = useReceiptLookup(() => 9);
    await lookup.check('R7K2-9QXM-4TZP');
    expect(lookUpReceipt).toHaveBeenCalledWith(9, 'R7K2-9QXM-4TZP');
    expect(lookup.receipt.value?.submission_id).toBe(12);

    vi.mocked(lookUpReceipt).mockRejectedValueOnce(new ApiError(404, 'not_found', 'No receipt of this course has that code.'));
    await lookup.check('AAAA-BBBB-CCCC');
    expect(lookup.receipt.value).toBeNull();
    expect(lookup.action.error.value?.message).toBe('No receipt of this course has that code.');
  });
});

/**
 * Notifications: my email choices, and staff checking a submission receipt by its code.
 */
import { shallowRef } from 'vue';
import { getMyNotifications, lookUpReceipt, updateMyNotifications } from '@/api/notifications';
import type { NotificationSettings, Receipt } from '@/api/types';
import { useAction, useAsync } from './useAsync';

/** My choices, and saving a change to them. */
export function useNotificationSettings() {
  const current = useAsync(getMyNotifications);
  const saving = useAction();
  async function save(change: NotificationSettings): Promise<boolean> {
    const saved = await saving.run(() => updateMyNotifications(change));
    if (saved) current.data.value = saved;
    return saved !== undefined;
  }
  return { current, saving, save };
}

/** One receipt of a course, looked up by the code a student quotes. */
export function useReceiptLookup(courseId: () => number) {
  const receipt = shallowRef<Receipt | null>(null);
  const action = useAction();
  async function check(code: string): Promise<void> {
    receipt.value = (await action.run(() => lookUpReceipt(courseId(), code))) ?? null;
  }
  return { receipt, action, check };
}

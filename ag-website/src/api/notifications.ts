/** Notifications: my email choices, and staff looking up a submission receipt. */
import { get, patch } from './http';
import type { NotificationSettings, Receipt } from './types';

export const getMyNotifications = (): Promise<NotificationSettings> => get<NotificationSettings>('users/me/notifications/');
export const updateMyNotifications = (change: NotificationSettings): Promise<NotificationSettings> =>
  patch<NotificationSettings>('users/me/notifications/', change);
export const lookUpReceipt = (courseId: number, code: string): Promise<Receipt> =>
  get<Receipt>(`courses/${courseId}/receipts/${encodeURIComponent(code)}/`);

/** What the API-token page shows about a token's lifetime, and the expiry choices it offers. */
import type { ApiToken } from '@/api/types';

export const EXPIRY_CHOICES = [
  { value: 7, label: '7 days' },
  { value: 30, label: '30 days' },
  { value: 90, label: '90 days' },
  { value: 365, label: '1 year' },
  { value: 0, label: 'Never' },
] as const;

const DAY_MS = 24 * 3600 * 1000;

/** The `expires_at` to send for a choice of days (0: never), counted from `now`. */
export function expiryFromDays(days: number, now: Date): string | null {
  return days > 0 ? new Date(now.getTime() + days * DAY_MS).toISOString() : null;
}

export function isExpired(token: Pick<ApiToken, 'expires_at'>, now: Date): boolean {
  return !!token.expires_at && new Date(token.expires_at).getTime() <= now.getTime();
}

/** "in 3 days", "in 5 hours", "2 days ago": rough, as a person would say it. */
export function relative(iso: string, now: Date): string {
  const ms = new Date(iso).getTime() - now.getTime();
  const abs = Math.abs(ms);
  const [count, unit] =
    abs >= DAY_MS ? [Math.round(abs / DAY_MS), 'day'] : abs >= 3600_000 ? [Math.round(abs / 3600_000), 'hour'] : [Math.max(1, Math.round(abs / 60_000)), 'minute'];
  const phrase = `${count} ${unit}${count === 1 ? '' : 's'}`;
  return ms >= 0 ? `in ${phrase}` : `${phrase} ago`;
}

export function expiryText(token: Pick<ApiToken, 'expires_at'>, now: Date): string {
  if (!token.expires_at) return 'Never expires';
  return isExpired(token, now) ? `Expired ${relative(token.expires_at, now)}` : `Expires ${relative(token.expires_at, now)}`;
}

export function lastUsedText(token: Pick<ApiToken, 'last_used_at'>, now: Date): string {
  return token.last_used_at ? `Last used ${relative(token.last_used_at, now)}` : 'Never used';
}

import { describe, expect, it } from 'vitest';
import { expiryFromDays, expiryText, isExpired, lastUsedText, relative } from '@/lib/tokens';
import { currentTerm } from '@/lib/term';
import { formatSize, normaliseReceiptCode } from '@/lib/receipts';

const now = new Date('2026-12-05T12:00:00Z');

describe('API token lifetimes', () => {
  it('turns a choice of days into an expiry time, and "never" into null', () => {
    expect(expiryFromDays(30, now)).toBe('2027-01-04T12:00:00.000Z');
    expect(expiryFromDays(0, now)).toBeNull();
  });

  it('calls a token expired from its expiry time on, and never when it has none', () => {
    expect(isExpired({ expires_at: '2026-12-05T12:00:00Z' }, now)).toBe(true);
    expect(isExpired({ expires_at: '2026-12-05T12:00:01Z' }, now)).toBe(false);
    expect(isExpired({ expires_at: null }, now)).toBe(false);
  });

  it('says when it expires or expired, roughly, as a person would', () => {
    expect(expiryText({ expires_at: '2026-12-08T12:00:00Z' }, now)).toBe('Expires in 3 days');
    expect(expiryText({ expires_at: '2026-12-05T17:00:00Z' }, now)).toBe('Expires in 5 hours');
    expect(expiryText({ expires_at: '2026-12-04T12:00:00Z' }, now)).toBe('Expired 1 day ago');
    expect(expiryText({ expires_at: null }, now)).toBe('Never expires');
  });

  it('says when it was last used', () => {
    expect(lastUsedText({ last_used_at: null }, now)).toBe('Never used');
    expect(lastUsedText({ last_used_at: '2026-12-05T11:58:00Z' }, now)).toBe('Last used 2 minutes ago');
    expect(relative('2026-12-05T12:00:10Z', now)).toBe('in 1 minute');
  });
});

describe('the term a new course starts on', () => {
  it.each([
    ['2027-01-10T12:00:00', 'winter'],
    ['2027-05-10T12:00:00', 'spring'],
    ['2027-07-10T12:00:00', 'summer'],
    ['2027-09-01T12:00:00', 'fall'],
  ])('on %s it is %s', (day, semester) => {
    expect(currentTerm(new Date(day))).toEqual({ semester, year: 2027 });
  });
});

describe('receipt codes as typed', () => {
  it.each([
    ['r7k2 9qxm-4tzp', 'R7K2-9QXM-4TZP'],
    ['R7K29QXM4TZP', 'R7K2-9QXM-4TZP'],
    [' R7K2-9QXM-4TZP ', 'R7K2-9QXM-4TZP'],
  ])('%s reads as %s', (typed, code) => {
    expect(normaliseReceiptCode(typed)).toBe(code);
  });

  it('refuses what cannot be a code (wrong length, 0/O and 1/I are never used)', () => {
    expect(normaliseReceiptCode('R7K2-9QXM')).toBeNull();
    expect(normaliseReceiptCode('R7K2-9QXM-4TZ0')).toBeNull();
    expect(normaliseReceiptCode('R7K2-9QXM-4TZI')).toBeNull();
  });

  it('formats file sizes', () => {
    expect(formatSize(900)).toBe('900 B');
    expect(formatSize(2048)).toBe('2.0 KiB');
    expect(formatSize(3 * 1024 * 1024)).toBe('3.0 MiB');
  });
});

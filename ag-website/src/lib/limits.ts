/**
 * What a group has left before it submits, from the project's policy and the group's
 * submissions (the server applies the same rules when the upload arrives).
 */
import type { Group, Project, Submission } from '@/api/types';

const NOT_COUNTED = new Set(['removed_from_queue', 'rejected', 'error']);

function zoneOffsetMs(utcMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(utcMs));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(utcMs / 1000) * 1000;
}

/** The wall-clock time `y-m-d h:mi:s` in `timeZone` as a UTC instant. */
function zonedToUtc(y: number, m: number, d: number, h: number, mi: number, s: number, timeZone: string): number {
  const guess = Date.UTC(y, m, d, h, mi, s);
  const first = guess - zoneOffsetMs(guess, timeZone);
  return guess - zoneOffsetMs(first, timeZone);
}

/** The most recent start of a submission day at or before `now`. */
export function lastDailyReset(now: Date, resetTime: string, timeZone: string): Date {
  const [h = 0, mi = 0, s = 0] = resetTime.split(':').map(Number);
  const local = new Date(now.getTime() + zoneOffsetMs(now.getTime(), timeZone));
  const y = local.getUTCFullYear();
  const m = local.getUTCMonth();
  const d = local.getUTCDate();
  let reset = zonedToUtc(y, m, d, h, mi, s, timeZone);
  if (reset > now.getTime()) reset = zonedToUtc(y, m, d - 1, h, mi, s, timeZone);
  return new Date(reset);
}

export function nextDailyReset(now: Date, resetTime: string, timeZone: string): Date {
  const last = lastDailyReset(now, resetTime, timeZone);
  const local = new Date(last.getTime() + zoneOffsetMs(last.getTime(), timeZone));
  const [h = 0, mi = 0, s = 0] = resetTime.split(':').map(Number);
  return new Date(zonedToUtc(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + 1, h, mi, s, timeZone));
}

export interface Allowance {
  usedToday: number;
  dailyLimit: number | null;
  usedTotal: number;
  totalLimit: number | null;
  bonusLeft: number;
  nextReset: Date | null;
}

export function allowance(project: Project, group: Group, submissions: readonly Submission[], now: Date): Allowance {
  const counted = submissions.filter((s) => !NOT_COUNTED.has(s.status));
  const reset = lastDailyReset(now, project.submission_limit_reset_time, project.submission_limit_reset_timezone);
  const members = project.groups_combine_daily_submissions ? group.members.length : 1;
  return {
    usedToday: counted.filter((s) => new Date(s.timestamp) >= reset).length,
    dailyLimit: project.submission_limit_per_day === null ? null : project.submission_limit_per_day * members,
    usedTotal: counted.length,
    totalLimit: project.total_submission_limit,
    bonusLeft: group.bonus_submissions_remaining ?? 0,
    nextReset:
      project.submission_limit_per_day === null
        ? null
        : nextDailyReset(now, project.submission_limit_reset_time, project.submission_limit_reset_timezone),
  };
}

/** The deadline that applies to the group: its extension, else the project's closing time. */
export function effectiveDeadline(project: Project, group: Group | null): string | null {
  return group?.extended_due_date ?? project.closing_time;
}

/** Whole late days a submission made now would be late by (0 when on time). */
export function daysLate(deadlineIso: string | null, now: Date): number {
  if (!deadlineIso) return 0;
  const late = now.getTime() - new Date(deadlineIso).getTime();
  return late <= 0 ? 0 : Math.ceil(late / (24 * 3600 * 1000));
}

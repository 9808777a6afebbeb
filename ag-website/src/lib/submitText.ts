/**
 * Words for what the server said about an upload before it happens: its dry run of the chosen
 * files (`file_check/`) and what the upload would spend (`my_limits/`). Only wording lives
 * here; every decision is the server's.
 */
import type { FileCheck, SubmissionLimits } from '@/api/types';

const plural = (count: number, one: string, many: string): string => `${count} ${count === 1 ? one : many}`;

/** What the upload would refuse about the chosen files, one sentence each, in the server's
 * order: a missing pattern says how many files it still needs. */
export function fileProblems(check: FileCheck): string[] {
  return check.problems.flatMap((problem) =>
    problem.code === 'missing_files'
      ? Object.entries(check.missing).map(([pattern, count]) => `Missing ${plural(count, 'file', 'files')} matching "${pattern}".`)
      : [problem.message],
  );
}

/** Files the upload would accept but leave out of the submission. */
export function leftOutText(check: FileCheck): string | null {
  return check.discarded.length > 0 ? `These files are not expected and will not be graded: ${check.discarded.join(', ')}.` : null;
}

/** The submit button's words: it says when this upload spends late days. */
export function submitLabel(limits: SubmissionLimits | null): string {
  if (!limits?.would_be_late) return 'Submit';
  const days = limits.late_days_to_use;
  return days > 0 ? `Submit (uses ${plural(days, 'late day', 'late days')})` : 'Submit (late, no more late days)';
}

/** What else a submission now would mean, as the server planned it. */
export function submitNotes(limits: SubmissionLimits | null): string[] {
  if (!limits) return [];
  const notes: string[] = [];
  if (limits.would_use_bonus_submission) notes.push("Today's submissions are used up: this one spends one of your group's bonus submissions.");
  if (limits.would_be_past_daily_limit) notes.push("Today's submissions are used up: you may still submit, but this one gets less feedback.");
  const uncounted = limits.members.filter((m) => !m.would_count).map((m) => m.username);
  if (uncounted.length > 0) {
    notes.push(`This submission will not count for ${uncounted.join(', ')}: not enough late days left.`);
  }
  return notes;
}

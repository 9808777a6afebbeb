/** Answers as the server gives them, for tests that mock src/api. */
import type { FileCheck, Project, SubmissionLimits } from '@/api/types';

export function limits(overrides: Partial<SubmissionLimits> = {}): SubmissionLimits {
  return {
    group: 3,
    checked_at: '2026-05-01T12:00:00Z',
    limits_apply: true,
    submissions_per_day: 3,
    submissions_used_today: 1,
    submissions_remaining_today: 2,
    daily_limit_resets_at: '2026-05-02T08:00:00-04:00',
    reset_timezone: 'America/Detroit',
    total_submission_limit: null,
    submissions_used_total: 1,
    total_submissions_remaining: null,
    bonus_submissions_remaining: 0,
    closing_time: '2026-05-08T23:59:00Z',
    extended_due_date: null,
    deadline: '2026-05-08T23:59:00Z',
    allow_late_days: true,
    past_deadline: false,
    days_late: 0,
    late_days_remaining: 2,
    late_days_used: 0,
    late_days_to_use: 0,
    members: [{ username: 'alice', late_days_remaining: 2, late_days_used: 0, late_days_needed: 0, would_count: true }],
    would_use_bonus_submission: false,
    would_be_past_daily_limit: false,
    would_be_late: false,
    refusal: null,
    ...overrides,
  };
}

export function fileCheck(overrides: Partial<FileCheck> = {}): FileCheck {
  return { accepted: [], discarded: [], missing: {}, matched: {}, problems: [], acceptable: true, ...overrides };
}

export function project(overrides: Partial<Project> = {}): Project {
  return {
    id: 7,
    course: 1,
    course_name: 'EECS 280',
    name: 'Hello',
    instructions: '',
    instructions_html: '',
    visible_to_students: true,
    closing_time: '2026-05-08T23:59:00Z',
    soft_closing_time: null,
    disallow_student_submissions: false,
    guests_can_submit: false,
    min_group_size: 1,
    max_group_size: 2,
    submission_limit_per_day: 3,
    submission_limit_reset_time: '08:00:00',
    submission_limit_reset_timezone: 'America/Detroit',
    groups_combine_daily_submissions: false,
    allow_submissions_past_limit: false,
    num_bonus_submissions: 0,
    total_submission_limit: null,
    allow_late_days: true,
    final_graded_policy: 'most_recent',
    hide_final_graded_feedback: false,
    use_honor_pledge: false,
    honor_pledge_text: '',
    created_at: '2026-01-01T00:00:00Z',
    last_modified: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}

/** A promise the test settles when it wants to. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

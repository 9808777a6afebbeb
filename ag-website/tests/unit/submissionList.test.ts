import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import type { Submission, SubmissionScore } from '@/api/types';
import SubmissionList from '@/components/project/SubmissionList.vue';

function submission(id: number, overrides: Partial<Submission> = {}): Submission {
  return {
    id,
    group: 1,
    project: 1,
    submitter: 'alice',
    timestamp: `2026-01-0${id}T12:00:00Z`,
    status: 'finished_grading',
    submitted_filenames: ['hello.py'],
    discarded_files: [],
    missing_files: {},
    total_size: 10,
    is_past_daily_limit: false,
    is_bonus_submission: false,
    is_late: false,
    late_days_charged: 0,
    does_not_count_for: [],
    error_msg: '',
    error_detail: '',
    is_final_graded: false,
    ...overrides,
  };
}

const mountList = (submissions: Submission[], scores?: Map<number, SubmissionScore>) =>
  mount(SubmissionList, {
    props: { projectId: 1, submissions, scores },
    global: { stubs: { RouterLink: { template: '<a><slot /></a>' } } },
  });

describe('SubmissionList', () => {
  it('marks the submission the server says is final graded, whatever its place in the list', () => {
    // With the "best" policy an older submission can be the final graded one.
    const wrapper = mountList([submission(3), submission(2, { is_final_graded: true }), submission(1)]);
    const rows = wrapper.findAll('tbody tr');
    expect(rows.map((row) => row.text().includes('Final graded submission'))).toEqual([false, true, false]);
  });

  it('marks nothing when the server marks nothing (before the deadline, for students)', () => {
    const wrapper = mountList([submission(2), submission(1)]);
    expect(wrapper.text()).not.toContain('Final graded submission');
    expect(wrapper.findAll('tbody tr')).toHaveLength(2);
  });

  it('shows each score as the results page does, fractional mutation points included', () => {
    const score = (submission: number, awarded: number, possible: number) =>
      ({ submission, feedback_category: 'normal', points_awarded: awarded, points_possible: possible }) as SubmissionScore;
    const wrapper = mountList([submission(2), submission(1)], new Map([[2, score(2, 4.5, 6.75)], [1, score(1, 3, 6)]]));
    expect(wrapper.findAll('[data-testid="submission-score"]').map((cell) => cell.text())).toEqual(['4.50 / 6.75', '3 / 6']);
  });
});

import { flushPromises } from '@vue/test-utils';
import { effectScope } from 'vue';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from '@/api/handgrading';
import type { HandgradingProgressRow, HandgradingResult } from '@/api/types';
import { nextUngraded, SESSION_POLL_MS, useHandgradingSession } from '@/composables/useHandgrading';

vi.mock('@/api/handgrading', () => ({
  openResult: vi.fn(),
  getProgress: vi.fn(),
  submittedText: vi.fn(),
  applyAnnotation: vi.fn(),
  selectCriterion: vi.fn(),
}));

const row = (group: number, status: HandgradingProgressRow['status'], submission: number | null = group * 10) =>
  ({ group, status, submission, members: [], grader: null, total_points: null }) as HandgradingProgressRow;
const result = (version: number) =>
  ({ id: 5, group: 2, submission: 20, version, submitted_filenames: ['a.py', 'b.py'], criteria: [], annotations: [], applied_annotations: [], comments: [] }) as unknown as HandgradingResult;

beforeEach(() => {
  vi.useFakeTimers();
  vi.clearAllMocks();
  vi.mocked(api.getProgress).mockResolvedValue({ rubric: null, groups: [] });
  vi.mocked(api.submittedText).mockImplementation(async (_, name) => `text of ${name}`);
});

afterEach(() => {
  vi.useRealTimers();
});

describe('nextUngraded', () => {
  it('takes the next group not graded and with a submission, wrapping around', () => {
    const rows = [row(1, 'in_progress'), row(2, 'graded'), row(3, 'not_started', null), row(4, 'not_started')];
    expect(nextUngraded(rows, 1)).toBe(4);
    expect(nextUngraded(rows, 4)).toBe(1);
    expect(nextUngraded([row(1, 'graded')], null)).toBe(null);
  });
});

describe('useHandgradingSession', () => {
  it('shows the first file, steps through files, and asks again for the result every few seconds', async () => {
    vi.mocked(api.openResult).mockResolvedValueOnce(result(1)).mockResolvedValue(result(2));
    const scope = effectScope();
    const session = scope.run(() => useHandgradingSession(() => 7, () => 2))!;
    await flushPromises();
    expect(session.file.value).toBe('a.py');
    expect(session.texts.value['a.py']).toBe('text of a.py');
    session.step(1);
    await flushPromises();
    expect(session.file.value).toBe('b.py');
    session.step(1);
    expect(session.file.value).toBe('a.py');

    await vi.advanceTimersByTimeAsync(SESSION_POLL_MS);
    expect(session.result.data.value?.version).toBe(2);
    scope.stop();
    const calls = vi.mocked(api.openResult).mock.calls.length;
    await vi.advanceTimersByTimeAsync(SESSION_POLL_MS * 3);
    expect(api.openResult).toHaveBeenCalledTimes(calls);
  });

  it('applies an annotation to the selected lines of the shown file, then reloads the total', async () => {
    vi.mocked(api.openResult).mockResolvedValue(result(1));
    const scope = effectScope();
    const session = scope.run(() => useHandgradingSession(() => 7, () => 2))!;
    await flushPromises();
    expect(await session.applyAnnotation(9)).toBe(false);
    session.selection.value = { first: 3, last: 4 };
    expect(await session.applyAnnotation(9)).toBe(true);
    expect(api.applyAnnotation).toHaveBeenCalledWith(5, { annotation: 9, filename: 'a.py', first_line: 3, last_line: 4 });
    scope.stop();
  });
});

import { flushPromises } from '@vue/test-utils';
import { effectScope } from 'vue';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from '@/api/handgrading';
import type { ResultVersion } from '@/api/handgrading';
import type { StreamEnd } from '@/api/statusStream';
import type { HandgradingProgressRow, HandgradingResult } from '@/api/types';
import { ApiError } from '@/api/http';
import { nextUngraded, SESSION_POLL_MS, useHandgradingSession } from '@/composables/useHandgrading';

vi.mock('@/api/handgrading', () => ({
  openResult: vi.fn(),
  getProgress: vi.fn(),
  submittedText: vi.fn(),
  applyAnnotation: vi.fn(),
  selectCriterion: vi.fn(),
  watchResult: vi.fn(),
}));

const row = (group: number, status: HandgradingProgressRow['status'], submission: number | null = group * 10) =>
  ({ group, status, submission, members: [], grader: null, total_points: null }) as HandgradingProgressRow;
const result = (version: number) =>
  ({ id: 5, group: 2, submission: 20, version, submitted_filenames: ['a.py', 'b.py'], criteria: [], annotations: [], applied_annotations: [], comments: [] }) as unknown as HandgradingResult;

/** The live stream the session opened last, driven by the test. */
let stream: { send: (state: ResultVersion, id: string) => void; end: (end: StreamEnd) => void; lastEventId: string | null; stopped: boolean };
let opened = 0;

beforeEach(() => {
  vi.useFakeTimers();
  vi.clearAllMocks();
  opened = 0;
  vi.mocked(api.watchResult).mockImplementation((_id, onVersion, onEnd, lastEventId = null) => {
    opened += 1;
    const current = { send: onVersion, end: onEnd, lastEventId, stopped: false };
    stream = current;
    return () => {
      current.stopped = true;
    };
  });
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
  it("reloads at once when another grader's change arrives live, and not when nothing changed", async () => {
    vi.mocked(api.openResult).mockResolvedValueOnce(result(1)).mockResolvedValue(result(2));
    const scope = effectScope();
    const session = scope.run(() => useHandgradingSession(() => 7, () => 2))!;
    await flushPromises();
    expect(opened).toBe(1);
    stream.send({ id: 5, version: 1 }, 'a');
    await flushPromises();
    expect(session.live.value).toBe(true);
    expect(api.openResult).toHaveBeenCalledTimes(1);

    stream.send({ id: 5, version: 2 }, 'b');
    await flushPromises();
    expect(api.openResult).toHaveBeenCalledTimes(2);
    expect(session.result.data.value?.version).toBe(2);
    // Live: no polling on top.
    await vi.advanceTimersByTimeAsync(SESSION_POLL_MS * 3);
    expect(api.openResult).toHaveBeenCalledTimes(2);
    scope.stop();
    expect(stream.stopped).toBe(true);
  });

  it('a change heard during this grader\'s own write is read once the write is done', async () => {
    let finish: () => void = () => {};
    vi.mocked(api.selectCriterion).mockImplementation(() => new Promise((resolve) => (finish = () => resolve({} as never))));
    vi.mocked(api.openResult).mockResolvedValueOnce(result(1)).mockResolvedValueOnce(result(2)).mockResolvedValue(result(3));
    const scope = effectScope();
    const session = scope.run(() => useHandgradingSession(() => 7, () => 2))!;
    await flushPromises();
    const writing = session.toggleCriterion(4, true);
    await flushPromises();
    stream.send({ id: 5, version: 3 }, 'c'); // another grader, mid-write
    await flushPromises();
    expect(api.openResult).toHaveBeenCalledTimes(1);
    finish();
    await writing;
    await flushPromises();
    expect(api.openResult).toHaveBeenCalledTimes(3); // the write's reload, then once more
    expect(session.result.data.value?.version).toBe(3);
    scope.stop();
  });

  it('when the stream breaks it polls meanwhile and reconnects from the last event seen', async () => {
    vi.mocked(api.openResult).mockResolvedValue(result(1));
    const scope = effectScope();
    const session = scope.run(() => useHandgradingSession(() => 7, () => 2))!;
    await flushPromises();
    stream.send({ id: 5, version: 1 }, 'seen');
    stream.end({ error: new ApiError(0, 'stream_broken', 'Cut.'), done: false });
    expect(session.live.value).toBe(false);
    await vi.advanceTimersByTimeAsync(SESSION_POLL_MS);
    expect(api.openResult).toHaveBeenCalledTimes(2); // polled while down
    await vi.advanceTimersByTimeAsync(5000);
    expect(opened).toBe(2);
    expect(stream.lastEventId).toBe('seen');
    scope.stop();
  });

  it('shows the first file, steps through files, and asks every few seconds while the stream is refused', async () => {
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

    stream.end({ error: new ApiError(403, 'permission_denied', 'No.'), done: false });
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

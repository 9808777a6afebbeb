import { flushPromises } from '@vue/test-utils';
import { effectScope, ref } from 'vue';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '@/api/http';
import { watchStatus, type StreamEnd } from '@/api/statusStream';
import { getStatus } from '@/api/submissions';
import type { StatusSnapshot } from '@/api/types';
import { MAX_RETRY_MS, RETRY_MS, retryDelay, useSubmissionStatus } from '@/composables/useSubmissionStatus';

vi.mock('@/api/statusStream', () => ({ watchStatus: vi.fn() }));
vi.mock('@/api/submissions', () => ({ getStatus: vi.fn() }));

type OnStatus = (s: StatusSnapshot, id: string | null) => void;
type OnEnd = (end: StreamEnd) => void;

const state = (status: string) => ({ id: 7, status }) as StatusSnapshot;
const refused = () => new ApiError(503, 'unavailable', 'Too many live connections.');

/** Every stream opened: its callbacks and the Last-Event-ID it resumed from. */
let streams: { onStatus: OnStatus; onEnd: OnEnd; lastEventId: string | null }[] = [];

function at(index: number) {
  const stream = streams[index];
  if (!stream) throw new Error(`no stream ${index} was opened`);
  return stream;
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.clearAllMocks();
  streams = [];
  vi.mocked(watchStatus).mockImplementation((_id, onStatus, onEnd, lastEventId = null) => {
    streams.push({ onStatus, onEnd, lastEventId });
    return () => {};
  });
});
afterEach(() => {
  vi.useRealTimers();
});

function follow() {
  const scope = effectScope();
  const finals: StatusSnapshot[] = [];
  const live = scope.run(() => useSubmissionStatus(ref<number | null>(7), (s) => finals.push(s)))!;
  return { live, finals };
}

describe('retryDelay', () => {
  it('doubles after each failure in a row, with jitter, up to a cap', () => {
    expect(retryDelay(1, () => 0.5)).toBe(RETRY_MS);
    expect(retryDelay(2, () => 0.5)).toBe(2 * RETRY_MS);
    expect(retryDelay(3, () => 0.5)).toBe(4 * RETRY_MS);
    expect(retryDelay(20, () => 0.5)).toBe(MAX_RETRY_MS);
    expect(retryDelay(1, () => 0)).toBe(0.75 * RETRY_MS);
    expect(retryDelay(1, () => 0.999)).toBeLessThan(1.25 * RETRY_MS + 1);
  });
});

describe('useSubmissionStatus', () => {
  it('polls with growing waits while streams are refused, then resumes the stream from the last event', async () => {
    vi.mocked(getStatus).mockResolvedValue(state('queued'));
    const { live } = follow();
    expect(streams).toHaveLength(1);
    at(0).onStatus(state('queued'), 'queued.aaa');
    expect(live.snapshot.value?.status).toBe('queued');

    // The server refuses the stream: a status request after about RETRY_MS, then the stream again.
    at(0).onEnd({ error: refused(), done: false });
    expect(getStatus).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1.25 * RETRY_MS);
    expect(getStatus).toHaveBeenCalledTimes(1);
    expect(streams).toHaveLength(2);
    expect(at(1).lastEventId).toBe('queued.aaa');

    // Refused again: the next status request waits about twice as long.
    at(1).onEnd({ error: refused(), done: false });
    await vi.advanceTimersByTimeAsync(1.25 * RETRY_MS);
    expect(getStatus).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1.25 * RETRY_MS);
    expect(getStatus).toHaveBeenCalledTimes(2);
    expect(streams).toHaveLength(3);

    // The stream works again: it delivers the final status and nothing more is asked.
    at(2).onStatus(state('finished_grading'), 'finished_grading.bbb');
    expect(live.snapshot.value?.status).toBe('finished_grading');
    await vi.advanceTimersByTimeAsync(10 * MAX_RETRY_MS);
    expect(getStatus).toHaveBeenCalledTimes(2);
    expect(streams).toHaveLength(3);
  });

  it('stops at a client error (no access) and reads once when told the resumed state is final', async () => {
    const { live } = follow();
    at(0).onEnd({ error: new ApiError(403, 'permission_denied', 'Not yours.'), done: false });
    await vi.advanceTimersByTimeAsync(10 * MAX_RETRY_MS);
    expect(live.error.value?.status).toBe(403);
    expect(streams).toHaveLength(1);

    vi.mocked(getStatus).mockResolvedValue(state('finished_grading'));
    const again = follow();
    at(1).onEnd({ error: null, done: true });
    await flushPromises();
    expect(getStatus).toHaveBeenCalledTimes(1);
    expect(again.finals.map((s) => s.status)).toEqual(['finished_grading']);
  });
});

describe('SseParser', () => {
  it('gives each event the id it was sent with', async () => {
    const { SseParser } = await import('@/api/sse');
    const parser = new SseParser();
    const events = parser.push('retry: 5000\n\nid: queued.1\nevent: status\ndata: {}\n\nevent: status\ndata: {}\n\n');
    expect(events).toEqual([
      { event: 'status', data: '{}', id: 'queued.1' },
      { event: 'status', data: '{}' },
    ]);
    expect(events.map((e) => 'id' in e)).toEqual([true, false]);
  });
});

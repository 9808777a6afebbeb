import { describe, expect, it } from 'vitest';
import { ApiError, flattenFieldErrors } from '@/api/http';
import { presetName } from '@/lib/feedbackPresets';
import { moveItem, orderChanged } from '@/lib/reorder';
import { statusMessage } from '@/lib/status';
import { countdownText, durationText, formatDateTime } from '@/lib/time';

describe('API errors', () => {
  it('flattens nested field errors into sentences per field', () => {
    expect(flattenFieldErrors({ name: ['Taken.'], file: { '4': ["'jo smith' contains whitespace."] } })).toEqual({
      name: ['Taken.'],
      file: ["4: 'jo smith' contains whitespace."],
    });
    const error = new ApiError(400, 'invalid', 'name: Taken.', { name: ['Taken.'] });
    expect(error.field('name')).toEqual(['Taken.']);
    expect(error.field('other')).toEqual([]);
  });
});

describe('statuses', () => {
  const snapshot = { id: 42, error_msg: '', queue_position: null, estimated_wait_s: null };
  it('uses the words students know', () => {
    expect(statusMessage({ ...snapshot, status: 'queued', queue_position: 3, estimated_wait_s: 95 })).toBe(
      'Your submission is at position 3 in the queue. Estimated wait: 1 minute 35 seconds.',
    );
    expect(statusMessage({ ...snapshot, status: 'being_graded' })).toBe('Your submission is being graded!');
    expect(statusMessage({ ...snapshot, status: 'error' })).toContain('quote submission ID 42');
  });
});

describe('time', () => {
  it('shows dates with the time zone named', () => {
    const text = formatDateTime('2026-10-01T23:59:00-04:00', 'America/Detroit');
    expect(text).toContain('2026');
    expect(text).toMatch(/11:59/);
    expect(text).toMatch(/EDT|GMT-4/);
    expect(formatDateTime(null)).toBe('—');
  });

  it('writes durations with their two largest units', () => {
    expect(durationText(0)).toBe('0 seconds');
    expect(durationText(61)).toBe('1 minute 1 second');
    expect(durationText(2 * 86400 + 3 * 3600 + 59)).toBe('2 days 3 hours');
    expect(countdownText('2026-05-01T01:00:00Z', new Date('2026-05-01T00:00:00Z'))).toBe('closes in 1 hour');
    expect(countdownText('2026-05-01T00:00:00Z', new Date('2026-05-01T00:05:00Z'))).toBe('closed 5 minutes ago');
  });
});

describe('reorder', () => {
  it('moves one item and leaves the input alone', () => {
    const ids = [1, 2, 3, 4];
    expect(moveItem(ids, 0, 2)).toEqual([2, 3, 1, 4]);
    expect(moveItem(ids, 3, 0)).toEqual([4, 1, 2, 3]);
    expect(moveItem(ids, 1, 99)).toEqual([1, 3, 4, 2]);
    expect(ids).toEqual([1, 2, 3, 4]);
    expect(orderChanged(ids, moveItem(ids, 2, 2))).toBe(false);
  });
});

describe('feedback presets', () => {
  it('names the preset a category equals, or custom', () => {
    const base = {
      visible: true,
      return_code_feedback: 'correct_or_incorrect',
      stdout_feedback: 'correct_or_incorrect',
      stderr_feedback: 'correct_or_incorrect',
      show_points: true,
      show_actual_return_code: false,
      show_actual_stdout: false,
      show_actual_stderr: false,
      show_whether_timed_out: true,
    } as const;
    const presets = [{ name: 'pass_fail', settings: { ...base } }];
    expect(presetName({ ...base }, presets)).toBe('pass_fail');
    expect(presetName({ ...base, show_points: false }, presets)).toBe('custom');
  });
});

describe('server-sent events', () => {
  it('parses events split across chunks, with comments and keep-alives', async () => {
    const { SseParser } = await import('@/api/sse');
    const parser = new SseParser();
    expect(parser.push(': keepalive\n\nevent: status\ndata: {"status":')).toEqual([]);
    expect(parser.push('"queued"}\n\nevent: status\r\ndata: {"status": "being_graded"}\r\n\r\n')).toEqual([
      { event: 'status', data: '{"status":"queued"}' },
      { event: 'status', data: '{"status": "being_graded"}' },
    ]);
    expect(parser.push('data: a\ndata: b\n\n')).toEqual([{ event: 'message', data: 'a\nb' }]);
  });
});

import { ApiError, send } from './http';
import { SseParser } from './sse';
import type { StatusSnapshot } from './types';

/** How a status stream ended. */
export interface StreamEnd {
  /** Null when the stream ended normally (the submission reached a final status). */
  error: ApiError | null;
  /** The server said the state this client resumed from is final: stop (HTTP 204). */
  done: boolean;
}

/**
 * Any of the API's server-sent event streams (`path`, e.g. `submissions/3/events/`): calls
 * `onEvent` with the parsed data of every `event` frame (and the frame's id) until the stream
 * ends; then `onEnd`, with the error if it failed or ended early. `lastEventId` resumes after
 * an event already seen: the server sends only what changed since. Returns a function that
 * stops watching. Uses fetch rather than EventSource, which cannot send the Accept header the
 * API negotiates on and gives no way to read an error answer.
 */
export function watchEvents<T>(
  path: string,
  event: string,
  onEvent: (data: T, eventId: string | null) => void,
  onEnd: (end: StreamEnd) => void,
  lastEventId: string | null = null,
): () => void {
  const controller = new AbortController();
  void (async () => {
    try {
      const response = await send('GET', path, {
        signal: controller.signal,
        headers: lastEventId ? { 'Last-Event-ID': lastEventId } : {},
      });
      if (response.status === 204) {
        onEnd({ error: null, done: true });
        return;
      }
      if (!response.body) throw new ApiError(0, 'no_stream', 'Live updates are not available in this browser.');
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      const parser = new SseParser();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const frame of parser.push(value)) {
          if (frame.event === event) onEvent(JSON.parse(frame.data) as T, frame.id ?? null);
        }
      }
      onEnd({ error: null, done: false });
    } catch (error) {
      if (controller.signal.aborted) return;
      const failure = error instanceof ApiError ? error : new ApiError(0, 'stream_broken', 'The live connection was interrupted.');
      onEnd({ error: failure, done: false });
    }
  })();
  return () => controller.abort();
}

/**
 * Live status over server-sent events. Calls `onStatus` with every snapshot (and the id of
 * its event) until the stream ends (at a final status); then `onEnd`, with the error if it
 * failed or ended early. `lastEventId` resumes after an event already seen.
 */
export function watchStatus(
  id: number,
  onStatus: (snapshot: StatusSnapshot, eventId: string | null) => void,
  onEnd: (end: StreamEnd) => void,
  lastEventId: string | null = null,
): () => void {
  return watchEvents<StatusSnapshot>(`submissions/${id}/events/`, 'status', onStatus, onEnd, lastEventId);
}

/**
 * Follows a submission's status live: server-sent events first. If the stream breaks or is
 * refused before a final status, status requests take over, further and further apart (with
 * jitter, so that thousands of browsers cut off together don't come back together), and the
 * stream is tried again after each one; it resumes from the last event seen (`Last-Event-ID`).
 */
import { onBeforeUnmount, ref, shallowRef, watch, type Ref } from 'vue';
import { getStatus } from '@/api/submissions';
import { watchStatus, type StreamEnd } from '@/api/statusStream';
import type { StatusSnapshot } from '@/api/types';
import { FINAL_STATUSES } from '@/lib/status';
import { toApiError } from './useAsync';
import type { ApiError } from '@/api/http';

/** The first wait after a failure; each further failure in a row doubles it, up to MAX. */
export const RETRY_MS = 3000;
export const MAX_RETRY_MS = 60000;

/** How long to wait after `failures` failures in a row: doubling, capped, ±25 % jitter. */
export function retryDelay(failures: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_RETRY_MS, RETRY_MS * 2 ** Math.max(0, failures - 1));
  return Math.round(base * (0.75 + random() * 0.5));
}

export function useSubmissionStatus(submissionId: Ref<number | null>, onFinal?: (s: StatusSnapshot) => void) {
  const snapshot = shallowRef<StatusSnapshot | null>(null);
  const error = shallowRef<ApiError | null>(null);
  const live = ref(false);
  let stop: (() => void) | null = null;
  let timer: number | null = null;
  let lastEventId: string | null = null;
  let failures = 0;

  function clear(): void {
    stop?.();
    stop = null;
    if (timer !== null) window.clearTimeout(timer);
    timer = null;
    live.value = false;
  }

  function isFinal(): boolean {
    return snapshot.value !== null && FINAL_STATUSES.has(snapshot.value.status);
  }

  function accept(state: StatusSnapshot): void {
    snapshot.value = state;
    error.value = null;
    if (FINAL_STATUSES.has(state.status)) {
      clear();
      onFinal?.(state);
    }
  }

  function later(id: number): void {
    failures += 1;
    timer = window.setTimeout(() => void poll(id), retryDelay(failures));
  }

  function connect(id: number): void {
    live.value = true;
    stop = watchStatus(
      id,
      (state, eventId) => {
        failures = 0;
        if (eventId) lastEventId = eventId;
        accept(state);
      },
      ({ error: failure, done }: StreamEnd) => {
        live.value = false;
        stop = null;
        if (isFinal()) return;
        if (failure && failure.status >= 400 && failure.status < 500 && failure.status !== 429) {
          error.value = failure;
          return;
        }
        if (done) {
          // The state we resumed from is final but we never saw it: read it once.
          void poll(id);
          return;
        }
        later(id);
      },
      lastEventId,
    );
  }

  async function poll(id: number): Promise<void> {
    timer = null;
    try {
      accept(await getStatus(id));
      if (!isFinal()) connect(id);
    } catch (caught) {
      error.value = toApiError(caught);
      later(id);
    }
  }

  watch(
    submissionId,
    (id) => {
      clear();
      snapshot.value = null;
      lastEventId = null;
      failures = 0;
      if (id !== null) connect(id);
    },
    { immediate: true },
  );
  onBeforeUnmount(clear);
  return { snapshot, error, live };
}

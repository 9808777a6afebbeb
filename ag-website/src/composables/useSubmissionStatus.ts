/**
 * Follows a submission's status live: server-sent events first; if the stream breaks before a
 * final status, a status request every few seconds, then the stream again.
 */
import { onBeforeUnmount, ref, shallowRef, watch, type Ref } from 'vue';
import { getStatus, watchStatus } from '@/api/submissions';
import type { StatusSnapshot } from '@/api/types';
import { FINAL_STATUSES } from '@/lib/status';
import { toApiError } from './useAsync';
import type { ApiError } from '@/api/http';

const RETRY_MS = 3000;

export function useSubmissionStatus(submissionId: Ref<number | null>, onFinal?: (s: StatusSnapshot) => void) {
  const snapshot = shallowRef<StatusSnapshot | null>(null);
  const error = shallowRef<ApiError | null>(null);
  const live = ref(false);
  let stop: (() => void) | null = null;
  let timer: number | null = null;

  function clear(): void {
    stop?.();
    stop = null;
    if (timer !== null) window.clearTimeout(timer);
    timer = null;
    live.value = false;
  }

  function accept(state: StatusSnapshot): void {
    snapshot.value = state;
    error.value = null;
    if (FINAL_STATUSES.has(state.status)) {
      clear();
      onFinal?.(state);
    }
  }

  function connect(id: number): void {
    live.value = true;
    stop = watchStatus(id, accept, (failure) => {
      live.value = false;
      if (snapshot.value && FINAL_STATUSES.has(snapshot.value.status)) return;
      if (failure && failure.status >= 400 && failure.status < 500) {
        error.value = failure;
        return;
      }
      timer = window.setTimeout(() => void poll(id), RETRY_MS);
    });
  }

  async function poll(id: number): Promise<void> {
    try {
      accept(await getStatus(id));
      if (snapshot.value && !FINAL_STATUSES.has(snapshot.value.status)) connect(id);
    } catch (caught) {
      error.value = toApiError(caught);
      timer = window.setTimeout(() => void poll(id), RETRY_MS * 2);
    }
  }

  watch(
    submissionId,
    (id) => {
      clear();
      snapshot.value = null;
      if (id !== null) connect(id);
    },
    { immediate: true },
  );
  onBeforeUnmount(clear);
  return { snapshot, error, live };
}

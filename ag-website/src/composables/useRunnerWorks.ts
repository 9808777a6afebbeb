/**
 * The works other systems sent a project through the runner API, with the delivery of each
 * result to its callback. Asked for again every few seconds while one is pending.
 */
import { computed, onScopeDispose, watch } from 'vue';
import { listRunnerWorks } from '@/api/runner';
export type { RunnerWork } from '@/api/runner';
import { useAsync } from './useAsync';

export const WORKS_POLL_MS = 2000;

export function useRunnerWorks(projectId: () => number) {
  const works = useAsync(() => listRunnerWorks(projectId()));
  const pending = computed(() => (works.data.value ?? []).some((w) => w.state === 'pending'));

  let timer: ReturnType<typeof setInterval> | null = null;
  const stopPolling = (): void => {
    if (timer !== null) clearInterval(timer);
    timer = null;
  };
  watch(pending, (on) => {
    stopPolling();
    if (on) timer = setInterval(() => void works.reload(), WORKS_POLL_MS);
  });
  onScopeDispose(stopPolling);

  return { works, pending };
}

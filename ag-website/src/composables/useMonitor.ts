/**
 * The live monitor's data: asks for "now" every sample interval the server names (1–2 s) while
 * the page is open and visible, and for the hour's history on load and every step after.
 */
import { onBeforeUnmount, onMounted, shallowRef } from 'vue';
import type { ApiError } from '@/api/http';
import { getMonitorHistory, getMonitorNow, type MonitorHistory, type MonitorNow } from '@/api/monitor';
import { toApiError } from './useAsync';

const MIN_POLL_MS = 1000;
const MAX_POLL_MS = 5000;

export function pollInterval(sampleSeconds: number | undefined): number {
  const wanted = (sampleSeconds ?? 2) * 1000;
  return Math.min(MAX_POLL_MS, Math.max(MIN_POLL_MS, wanted || 2000));
}

export function useMonitor(courseId: () => number | null) {
  const now = shallowRef<MonitorNow | null>(null);
  const history = shallowRef<MonitorHistory | null>(null);
  const error = shallowRef<ApiError | null>(null);
  let nowTimer: ReturnType<typeof setTimeout> | null = null;
  let historyTimer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;

  async function loadNow(): Promise<void> {
    try {
      if (!document.hidden) now.value = await getMonitorNow(courseId());
      error.value = null;
    } catch (caught) {
      error.value = toApiError(caught);
    }
    if (!stopped) nowTimer = setTimeout(() => void loadNow(), pollInterval(now.value?.sample_seconds));
  }

  async function loadHistory(): Promise<void> {
    try {
      if (!document.hidden) history.value = await getMonitorHistory(courseId());
    } catch (caught) {
      error.value = toApiError(caught);
    }
    const step = (history.value?.step_seconds ?? 10) * 1000;
    if (!stopped) historyTimer = setTimeout(() => void loadHistory(), step);
  }

  onMounted(() => {
    void loadNow();
    void loadHistory();
  });
  onBeforeUnmount(() => {
    stopped = true;
    if (nowTimer) clearTimeout(nowTimer);
    if (historyTimer) clearTimeout(historyTimer);
  });
  return { now, history, error };
}

/**
 * Bulk downloads of a project: the list (asked for again every second while one is being
 * built, so its progress bar moves), starting one, and deleting (or cancelling) one.
 */
import { computed, onScopeDispose, watch } from 'vue';
import { deleteExport, listExports, startExport } from '@/api/exports';
import type { ExportInput, ExportKind } from '@/api/types';
import { useAction, useAsync } from './useAsync';

export const EXPORT_POLL_MS = 1000;

export const EXPORT_KINDS: { value: ExportKind; label: string }[] = [
  { value: 'final_files', label: 'Final graded submissions (zip)' },
  { value: 'all_files', label: 'All submissions (zip)' },
  { value: 'final_scores', label: 'Final graded scores (CSV)' },
  { value: 'all_scores', label: 'All scores (CSV)' },
];

export function useExports(projectId: () => number) {
  const exports = useAsync(() => listExports(projectId()));
  const starting = useAction();
  const removing = useAction();
  const building = computed(() => (exports.data.value ?? []).some((e) => e.state === 'queued' || e.state === 'building'));

  let timer: ReturnType<typeof setInterval> | null = null;
  const stopPolling = (): void => {
    if (timer !== null) clearInterval(timer);
    timer = null;
  };
  watch(building, (on) => {
    stopPolling();
    if (on) timer = setInterval(() => void exports.reload(), EXPORT_POLL_MS);
  });
  onScopeDispose(stopPolling);

  async function start(input: ExportInput): Promise<boolean> {
    const created = await starting.run(() => startExport(projectId(), input));
    if (!created) return false;
    await exports.reload();
    return true;
  }

  async function remove(id: number): Promise<boolean> {
    const done = await removing.run(async () => {
      await deleteExport(id);
      return true;
    });
    if (!done) return false;
    await exports.reload();
    return true;
  }

  return { exports, starting, removing, building, start, remove };
}

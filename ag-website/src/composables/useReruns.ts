/**
 * Reruns of a project's submissions: the list (asked for again every few seconds while one is
 * running, so its progress moves), the suites and mutation suites one may rerun, starting one
 * and cancelling one.
 */
import { computed, onScopeDispose, ref, watch } from 'vue';
import { listMutationSuites } from '@/api/mutation';
import { cancelRerun, listReruns, startRerun } from '@/api/reruns';
import { listSuites } from '@/api/testConfig';
import type { Rerun, RerunInput } from '@/api/types';
import { useAction, useAsync } from './useAsync';

export const RERUN_POLL_MS = 2000;

/** The key of a suite selection that lists mutation suites (grading/mutation RERUN_SELECTION_KEY). */
export const MUTATION_SELECTION_KEY = 'mutation';

/**
 * The suite_selection a rerun sends for the ticked suites and mutation suites: whole suites map
 * to null, mutation suites are listed under "mutation". Nothing ticked: undefined, which the
 * server reads as every suite and every mutation suite.
 */
export function rerunSuiteSelection(suiteIds: number[], mutationSuiteIds: number[]): RerunInput['suite_selection'] | undefined {
  if (!suiteIds.length && !mutationSuiteIds.length) return undefined;
  const selection: Record<string, number[] | null> = Object.fromEntries(suiteIds.map((id) => [String(id), null]));
  if (mutationSuiteIds.length) selection[MUTATION_SELECTION_KEY] = [...mutationSuiteIds];
  return selection;
}

export function useReruns(projectId: () => number) {
  const reruns = useAsync(() => listReruns(projectId()));
  const suites = useAsync(() => listSuites(projectId()));
  const mutationSuites = useAsync(() => listMutationSuites(projectId()));
  const starting = useAction();
  const cancelling = useAction();
  /** Submissions the last start left out because an earlier rerun of them is still going. */
  const skipped = ref<number | null>(null);
  const running = computed(() => (reruns.data.value ?? []).some((r) => !r.finished));

  let timer: ReturnType<typeof setInterval> | null = null;
  const stopPolling = (): void => {
    if (timer !== null) clearInterval(timer);
    timer = null;
  };
  watch(running, (on) => {
    stopPolling();
    if (on) timer = setInterval(() => void reruns.reload(), RERUN_POLL_MS);
  });
  onScopeDispose(stopPolling);

  async function start(input: RerunInput): Promise<boolean> {
    const created = await starting.run(() => startRerun(projectId(), input));
    if (!created) return false;
    skipped.value = created.skipped;
    await reruns.reload();
    return true;
  }

  async function cancel(rerun: Rerun): Promise<void> {
    await cancelling.run(() => cancelRerun(rerun.id));
    await reruns.reload();
  }

  return { reruns, suites, mutationSuites, starting, cancelling, skipped, running, start, cancel };
}

/**
 * Everything the student project page shows, asked for at once: the project (with its course's
 * name), my group, my invitations, the expected files, what I may still submit (`my_limits/`:
 * counts, resets, deadline, late days and why an upload now would be refused, as the server's
 * upload rules decide them) and my group's submissions. Every request is keyed by the project
 * alone, so none waits for another.
 *
 * The limits change by the clock alone at two instants the server names (the deadline, the
 * next daily reset); the page asks for them again just after whichever comes first, instead of
 * working the rules out in the browser.
 */
import { onScopeDispose, watch } from 'vue';
import { getMyGroup, listInvitations } from '@/api/groups';
import { getProject, listExpectedFiles } from '@/api/projects';
import { getMyLimits, listMySubmissions } from '@/api/submissions';
import type { SubmissionLimits } from '@/api/types';
import { useAsync } from './useAsync';

/** Just past an instant, so the server sees it as passed (submitting exactly at the deadline is
 * still on time). */
const AFTER_MS = 1000;
/** Timers further out than this wake early and look again (browsers cap timer delays). */
const LONGEST_WAIT_MS = 24 * 3600 * 1000;

/**
 * Milliseconds until the server's answer in `limits` may change with no one doing anything:
 * just past the deadline or the next daily reset, whichever is next; null when neither is
 * ahead.
 */
export function msUntilLimitsChange(limits: SubmissionLimits, now: Date): number | null {
  const instants = [limits.deadline, limits.submissions_per_day === null ? null : limits.daily_limit_resets_at]
    .filter((iso): iso is string => iso !== null)
    .map((iso) => new Date(iso).getTime() - now.getTime())
    .filter((ms) => ms >= 0);
  if (instants.length === 0) return null;
  return Math.min(Math.min(...instants) + AFTER_MS, LONGEST_WAIT_MS);
}

export function useProjectPage(projectId: () => number) {
  const lazy = { immediate: false };
  const project = useAsync(() => getProject(projectId()), lazy);
  const group = useAsync(() => getMyGroup(projectId()), lazy);
  const invitations = useAsync(() => listInvitations(projectId()), lazy);
  const expectedFiles = useAsync(() => listExpectedFiles(projectId()), lazy);
  const limits = useAsync(() => getMyLimits(projectId()), lazy);
  const submissions = useAsync(() => listMySubmissions(projectId()), lazy);

  const reload = (...states: { reload: () => Promise<void> }[]): Promise<void> =>
    Promise.all(states.map((state) => state.reload())).then(() => undefined);

  const loaded = reload(project, group, invitations, expectedFiles, limits, submissions);

  let timer: ReturnType<typeof setTimeout> | null = null;
  const clearTimer = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  watch(limits.data, (answer) => {
    clearTimer();
    const wait = answer ? msUntilLimitsChange(answer, new Date()) : null;
    if (wait !== null) timer = setTimeout(() => void limits.reload(), wait);
  });
  onScopeDispose(clearTimer);

  return {
    project,
    group,
    invitations,
    expectedFiles,
    limits,
    submissions,
    /** Resolves once every first answer (or error) is in. */
    loaded,
    /** After an upload: the new submission counts, and may have spent late or bonus days. */
    afterSubmit: (): Promise<void> => reload(submissions, limits),
    /** After joining, leaving or forming a group. */
    afterGroupChange: (): Promise<void> => reload(group, invitations, limits, submissions),
    /** When a submission reaches a final status (a removed one gives back what it spent). */
    afterFinal: (): Promise<void> => reload(submissions, group, limits),
  };
}

/**
 * One role's roster: its members, a preview of a change, and confirming exactly what was
 * previewed. Nothing is changed until `confirm`.
 */
import { shallowRef } from 'vue';
import { changeRoster, listRoster, previewRoster, type RosterSource } from '@/api/courses';
import type { Role, RosterChange, RosterMode, RosterPreview } from '@/api/types';
import { useAction, useAsync } from '@/composables/useAsync';

export function useRoster(courseId: () => number, role: () => Role) {
  const members = useAsync(() => listRoster(courseId(), role()));
  const preview = shallowRef<RosterPreview | null>(null);
  const result = shallowRef<RosterChange | null>(null);
  const previewing = useAction();
  const confirming = useAction();
  let previewed: { mode: RosterMode; source: RosterSource } | null = null;

  /** Asks the server what the change would do; keeps the answer until the input changes. */
  async function runPreview(mode: RosterMode, source: RosterSource): Promise<RosterPreview | undefined> {
    discard();
    result.value = null;
    const answer = await previewing.run(() => previewRoster(courseId(), role(), mode, source));
    if (answer) {
      preview.value = answer;
      previewed = { mode, source };
    }
    return answer;
  }

  /** Makes the previewed change (the server works it out again from the same names). */
  async function confirm(): Promise<RosterChange | undefined> {
    if (!previewed) return undefined;
    const { mode, source } = previewed;
    const change = await confirming.run(() => changeRoster(courseId(), role(), mode, source));
    if (change) {
      result.value = change;
      discard();
      await members.reload();
    }
    return change;
  }

  /** Forgets the preview, e.g. because the names were edited after it. */
  function discard(): void {
    preview.value = null;
    previewed = null;
    confirming.error.value = null;
  }

  async function removeOne(username: string): Promise<void> {
    discard();
    result.value = null;
    const change = await confirming.run(() => changeRoster(courseId(), role(), 'remove', { users: [username] }));
    if (change) {
      result.value = change;
      await members.reload();
    }
  }

  return { members, preview, result, previewing, confirming, runPreview, confirm, discard, removeOne };
}

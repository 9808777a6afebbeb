/**
 * A course's machine keys for the runner API: creating one (its key and signing secret are
 * shown once), revoking one. The course's projects are what a key may be allowed to run.
 */
import { ref } from 'vue';
import { listProjects } from '@/api/courses';
import { createMachineKey, listMachineKeys, revokeMachineKey, type MachineKey, type MachineKeyCreated, type MachineKeyInput } from '@/api/runner';
import { useAction, useAsync } from './useAsync';
export type { MachineKeyCategory } from '@/api/runner';

export function useMachineKeys(courseId: () => number) {
  const keys = useAsync(() => listMachineKeys(courseId()));
  const projects = useAsync(() => listProjects(courseId()));
  const creating = useAction();
  const revoking = useAction();
  /** The key just created, with its secrets (never shown again). */
  const created = ref<MachineKeyCreated | null>(null);

  async function create(input: MachineKeyInput): Promise<boolean> {
    const key = await creating.run(() => createMachineKey(courseId(), input));
    if (!key) return false;
    created.value = key;
    await keys.reload();
    return true;
  }

  async function revoke(key: MachineKey): Promise<void> {
    await revoking.run(() => revokeMachineKey(key.id));
    if (created.value?.id === key.id) created.value = null;
    await keys.reload();
  }

  return { keys, projects, creating, revoking, created, create, revoke };
}

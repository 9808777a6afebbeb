/**
 * A project's groups for course staff: the list, and the changes staff make to it from the
 * Groups page (create a group, edit its members, extension and bonus submissions, delete an
 * empty one, merge one group into another) and from student lookup. The server decides what is
 * allowed (sizes, enrolment, a group merged with itself, two groups both being graded); this
 * keeps each form's error for the form and reloads the list after a change. A change is
 * reported once the list shows it, and the caller clears its form in the same tick, so
 * nothing typed after the report is wiped by a late reload.
 */
import { computed, shallowRef, type ComputedRef, type ShallowRef } from 'vue';
import { createGroup, deleteGroup, listGroups, mergeGroups, updateGroup } from '@/api/groups';
import type { Group, GroupUpdate } from '@/api/types';
import { useAction, useAsync, type AsyncState } from './useAsync';

type Action = ReturnType<typeof useAction>;

export interface ProjectGroups {
  groups: AsyncState<Group[]>;
  /** Groups with the label staff recognise them by, sorted by it. */
  options: ComputedRef<{ value: number; label: string }[]>;
  creating: Action;
  merging: Action;
  updating: Action;
  /** The group a successful create or merge produced, to say what happened. */
  lastChanged: ShallowRef<{ kind: 'created' | 'merged'; group: Group } | null>;
  create: (members: string) => Promise<Group | undefined>;
  merge: (intoId: number, otherId: number) => Promise<Group | undefined>;
  update: (groupId: number, input: GroupUpdate) => Promise<Group | undefined>;
  removing: Action;
  /** Deletes a group; true when it is gone. */
  remove: (groupId: number) => Promise<boolean>;
}

/** "alice@x, bob@x": how a group is named everywhere staff see one. */
export const groupLabel = (group: Pick<Group, 'members'>): string => group.members.map((m) => m.username).join(', ');

/** Usernames or emails as staff paste them: commas, semicolons, spaces and new lines separate. */
export const parseMembers = (text: string): string[] => text.split(/[\s,;]+/).filter(Boolean);

export function useProjectGroups(projectId: () => number): ProjectGroups {
  const groups = useAsync(() => listGroups(projectId()));
  const creating = useAction();
  const merging = useAction();
  const updating = useAction();
  const lastChanged = shallowRef<{ kind: 'created' | 'merged'; group: Group } | null>(null);

  const options = computed(() =>
    (groups.data.value ?? [])
      .map((group) => ({ value: group.id, label: groupLabel(group) }))
      .sort((a, b) => a.label.localeCompare(b.label)),
  );

  async function create(members: string): Promise<Group | undefined> {
    lastChanged.value = null;
    const group = await creating.run(() => createGroup(projectId(), parseMembers(members)));
    if (group) {
      await groups.reload();
      lastChanged.value = { kind: 'created', group };
    }
    return group;
  }

  async function merge(intoId: number, otherId: number): Promise<Group | undefined> {
    lastChanged.value = null;
    const group = await merging.run(() => mergeGroups(intoId, otherId));
    if (group) {
      await groups.reload();
      lastChanged.value = { kind: 'merged', group };
    }
    return group;
  }

  async function update(groupId: number, input: GroupUpdate): Promise<Group | undefined> {
    const group = await updating.run(() => updateGroup(groupId, input));
    if (group) await groups.reload();
    return group;
  }

  const removing = useAction();
  async function remove(groupId: number): Promise<boolean> {
    const done = await removing.run(async () => {
      await deleteGroup(groupId);
      return true;
    });
    if (done) await groups.reload();
    return done === true;
  }

  return { groups, options, creating, merging, updating, lastChanged, create, merge, update, removing, remove };
}

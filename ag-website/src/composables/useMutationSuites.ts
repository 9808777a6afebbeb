/**
 * A project's mutation test suites for the editor (students' own tests run against buggy
 * implementations): the list, adding one, and saving or deleting one from its form. After a
 * change the list is asked for again, so what is shown is what the server stored.
 */
import { ref } from 'vue';
import {
  createMutationSuite,
  deleteMutationSuite,
  listMutationSuites,
  updateMutationSuite,
} from '@/api/mutation';
import type { MutationSuite, MutationSuiteInput } from '@/api/types';
import { useAction, useAsync } from './useAsync';

/** What a new suite starts with: autograder.io's placeholders, ready to be edited. */
export const NEW_MUTATION_SUITE: Omit<MutationSuiteInput, 'name'> = {
  buggy_impl_names: [],
  get_student_test_names_command: 'python3 list_tests.py',
  validity_check_command: 'python3 run_test.py correct ${student_test_name}',
  grade_buggy_impl_command: 'python3 run_test.py ${buggy_impl_name} ${student_test_name}',
};

export function useMutationSuites(projectId: () => number) {
  const suites = useAsync(() => listMutationSuites(projectId()));
  const action = useAction();
  return {
    suites,
    action,
    async add(name: string): Promise<MutationSuite | undefined> {
      const made = await action.run(() => createMutationSuite(projectId(), { ...NEW_MUTATION_SUITE, name }));
      if (made !== undefined) await suites.reload();
      return made;
    },
  };
}

export function useMutationSuiteForm(suiteId: () => number) {
  const save = useAction();
  const saved = ref(false);
  async function submit(input: MutationSuiteInput): Promise<boolean> {
    saved.value = false;
    saved.value = (await save.run(() => updateMutationSuite(suiteId(), input))) !== undefined;
    return saved.value;
  }
  async function destroy(): Promise<boolean> {
    return (await save.run(() => deleteMutationSuite(suiteId()).then(() => true))) ?? false;
  }
  return { save, saved, submit, destroy };
}

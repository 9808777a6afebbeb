/**
 * A project's test configuration for the editor: the tree of suites, test cases and commands,
 * what their forms offer (instructor and expected files, feedback presets, sandbox images),
 * adding and reordering, and saving or deleting one item. After a change the tree is asked for
 * again, so what is shown is what the server stored.
 */
import { ref } from 'vue';
import { listExpectedFiles, listInstructorFiles } from '@/api/projects';
import {
  createCase,
  createCommand,
  createSuite,
  deleteCase,
  deleteCommand,
  deleteSuite,
  listFeedbackPresets,
  listSandboxImages,
  listSuites,
  orderCases,
  orderCommands,
  orderSuites,
  updateCase,
  updateCommand,
  updateSuite,
} from '@/api/testConfig';
import type { CaseInput, Command, CommandInput, Suite, SuiteInput, TestCase } from '@/api/types';
import { useAction, useAsync } from './useAsync';

export function useTestConfig(projectId: () => number) {
  const suites = useAsync(() => listSuites(projectId()));
  const instructorFiles = useAsync(() => listInstructorFiles(projectId()));
  const expectedFiles = useAsync(() => listExpectedFiles(projectId()));
  const presets = useAsync(listFeedbackPresets);
  const sandboxImages = useAsync(() => listSandboxImages(projectId()));
  const action = useAction();

  async function changed<T>(work: () => Promise<T>): Promise<T | undefined> {
    const done = await action.run(work);
    if (done !== undefined) await suites.reload();
    return done;
  }

  return {
    suites,
    instructorFiles,
    expectedFiles,
    presets,
    sandboxImages,
    action,
    addSuite: (name: string): Promise<Suite | undefined> => changed(() => createSuite(projectId(), { name })),
    addCase: (suiteId: number, name: string): Promise<TestCase | undefined> => changed(() => createCase(suiteId, { name })),
    addCommand: (caseId: number, input: CommandInput & { name: string; cmd: string }): Promise<Command | undefined> =>
      changed(() => createCommand(caseId, input)),
    /** Reorders, then shows the server's order (also when it refused the new one). */
    async reorder(kind: 'suites' | 'cases' | 'commands', parentId: number, ids: number[]): Promise<void> {
      const save = { suites: orderSuites, cases: orderCases, commands: orderCommands }[kind];
      await action.run(() => save(parentId, ids));
      await suites.reload();
    },
  };
}

/** Saving or deleting one item of the tree from its form; `saved` says the last save worked. */
function useItemForm<I>(update: (input: I) => Promise<unknown>, remove: () => Promise<void>) {
  const save = useAction();
  const saved = ref(false);
  async function submit(input: I): Promise<boolean> {
    saved.value = false;
    const done = await save.run(() => update(input));
    saved.value = done !== undefined;
    return saved.value;
  }
  async function destroy(): Promise<boolean> {
    return (await save.run(() => remove().then(() => true))) ?? false;
  }
  return { save, saved, submit, destroy };
}

export const useSuiteForm = (suiteId: () => number) =>
  useItemForm<SuiteInput>((input) => updateSuite(suiteId(), input), () => deleteSuite(suiteId()));
export const useCaseForm = (caseId: () => number) =>
  useItemForm<CaseInput>((input) => updateCase(caseId(), input), () => deleteCase(caseId()));
export const useCommandForm = (commandId: () => number) =>
  useItemForm<CommandInput>((input) => updateCommand(commandId(), input), () => deleteCommand(commandId()));

import { flushPromises } from '@vue/test-utils';
import { effectScope, ref } from 'vue';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { getCommandDiff, getCommandOutput, getGradebookPage, getResults, getSetupOutput } from '@/api/results';
import type { FeedbackCategory, SubmissionFeedback } from '@/api/types';
import { useCommandOutput, useGradebook, useSetupOutput, useSubmissionResults } from '@/composables/useResults';

vi.mock('@/api/results', () => ({
  getResults: vi.fn(),
  getCommandOutput: vi.fn(),
  getCommandDiff: vi.fn(),
  getSetupOutput: vi.fn(),
  getGradebookPage: vi.fn(),
  gradebookCsvUrl: (id: number) => `/api/projects/${id}/gradebook.csv`,
}));

beforeEach(() => {
  vi.clearAllMocks();
});

describe('useSubmissionResults', () => {
  it('asks again, in the chosen feedback category, when the category changes', async () => {
    vi.mocked(getResults).mockResolvedValue({} as SubmissionFeedback);
    const category = ref<FeedbackCategory | undefined>(undefined);
    const scope = effectScope();
    scope.run(() => useSubmissionResults(() => 42, () => category.value));
    await flushPromises();
    category.value = 'staff_viewer';
    await flushPromises();
    expect(vi.mocked(getResults).mock.calls).toEqual([
      [42, undefined],
      [42, 'staff_viewer'],
    ]);
    scope.stop();
  });
});

describe('useCommandOutput and useSetupOutput', () => {
  it('fetches a command’s diff once, however often it is opened', async () => {
    vi.mocked(getCommandDiff).mockResolvedValue([[' ', 'hello']]);
    const output = useCommandOutput(() => 9, () => 'normal');
    await output.load('diff', 'stdout');
    await output.load('diff', 'stdout');
    expect(getCommandDiff).toHaveBeenCalledTimes(1);
    expect(getCommandDiff).toHaveBeenCalledWith(9, 'stdout', 'normal');
    expect(output.diff.value).toEqual([[' ', 'hello']]);
    expect(getCommandOutput).not.toHaveBeenCalled();
  });

  it('keeps each setup stream’s text apart', async () => {
    vi.mocked(getSetupOutput).mockImplementation(async (_id, stream) => ({ text: stream, truncated: false, size: 1 }));
    const setup = useSetupOutput(() => 5, () => undefined);
    await setup.load('setup_stdout');
    await setup.load('setup_stderr');
    expect(setup.outputs.value.setup_stdout?.text).toBe('setup_stdout');
    expect(setup.outputs.value.setup_stderr?.text).toBe('setup_stderr');
  });
});

describe('useGradebook', () => {
  it('pages forward and never before the first page', async () => {
    vi.mocked(getGradebookPage).mockResolvedValue({ count: 0, results: [] });
    const gradebook = useGradebook(() => 7);
    gradebook.go(1);
    gradebook.go(-1);
    gradebook.go(-1);
    await flushPromises();
    expect(vi.mocked(getGradebookPage).mock.calls.map(([, page]) => page)).toEqual([1, 2, 1, 1]);
    expect(gradebook.csvUrl()).toBe('/api/projects/7/gradebook.csv');
  });
});

import { flushPromises } from '@vue/test-utils';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '@/api/http';
import { listExpectedFiles, listInstructorFiles } from '@/api/projects';
import { createSuite, deleteSuite, listFeedbackPresets, listSandboxImages, listSuites, orderCases, updateSuite } from '@/api/testConfig';
import type { Suite } from '@/api/types';
import { useSuiteForm, useTestConfig } from '@/composables/useTestConfig';

vi.mock('@/api/projects', () => ({ listExpectedFiles: vi.fn(), listInstructorFiles: vi.fn() }));
vi.mock('@/api/testConfig', () => ({
  listSuites: vi.fn(),
  createSuite: vi.fn(),
  updateSuite: vi.fn(),
  deleteSuite: vi.fn(),
  orderSuites: vi.fn(),
  createCase: vi.fn(),
  updateCase: vi.fn(),
  deleteCase: vi.fn(),
  orderCases: vi.fn(),
  createCommand: vi.fn(),
  updateCommand: vi.fn(),
  deleteCommand: vi.fn(),
  orderCommands: vi.fn(),
  listFeedbackPresets: vi.fn(),
  listSandboxImages: vi.fn(),
}));

const suite = (id: number, name: string) => ({ id, name, cases: [] }) as unknown as Suite;

beforeEach(() => {
  vi.clearAllMocks();
  vi.mocked(listSuites).mockResolvedValue([]);
  vi.mocked(listInstructorFiles).mockResolvedValue([]);
  vi.mocked(listExpectedFiles).mockResolvedValue([]);
  vi.mocked(listFeedbackPresets).mockResolvedValue([]);
  vi.mocked(listSandboxImages).mockResolvedValue({ default_image: 'ag-sandbox-default:latest', images: [], options: [] });
});

describe('useTestConfig', () => {
  it('loads the tree and what its forms offer, and shows the tree again after adding a suite', async () => {
    const config = useTestConfig(() => 7);
    await flushPromises();
    for (const loader of [listSuites, listInstructorFiles, listExpectedFiles, listSandboxImages]) expect(loader).toHaveBeenCalledWith(7);

    vi.mocked(createSuite).mockResolvedValue(suite(3, 'Basics'));
    vi.mocked(listSuites).mockResolvedValue([suite(3, 'Basics')]);
    expect((await config.addSuite('Basics'))?.id).toBe(3);
    expect(createSuite).toHaveBeenCalledWith(7, { name: 'Basics' });
    expect(config.suites.data.value?.map((s) => s.name)).toEqual(['Basics']);
  });

  it('shows the server’s order after a reorder, also when it refused the new one', async () => {
    const config = useTestConfig(() => 7);
    await flushPromises();
    vi.mocked(orderCases).mockRejectedValue(new ApiError(400, 'invalid', 'ids: Not this suite’s test cases.'));
    await config.reorder('cases', 3, [9, 8]);
    expect(orderCases).toHaveBeenCalledWith(3, [9, 8]);
    expect(config.action.error.value?.message).toContain('Not this suite');
    expect(listSuites).toHaveBeenCalledTimes(2);
  });
});

describe('useSuiteForm', () => {
  it('says saved only after a save worked, and deletes when asked', async () => {
    const form = useSuiteForm(() => 3);
    vi.mocked(updateSuite).mockRejectedValueOnce(new ApiError(400, 'invalid', 'name: Taken.', { name: ['Taken.'] }));
    expect(await form.submit({ name: 'Basics' })).toBe(false);
    expect(form.saved.value).toBe(false);
    expect(form.save.fieldErrors('name')).toEqual(['Taken.']);

    vi.mocked(updateSuite).mockResolvedValueOnce(suite(3, 'Basics 2'));
    expect(await form.submit({ name: 'Basics 2' })).toBe(true);
    expect(form.saved.value).toBe(true);

    vi.mocked(deleteSuite).mockResolvedValueOnce(undefined);
    expect(await form.destroy()).toBe(true);
    expect(deleteSuite).toHaveBeenCalledWith(3);
  });
});

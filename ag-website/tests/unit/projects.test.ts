import { flushPromises } from '@vue/test-utils';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '@/api/http';
import {
  createExpectedFile,
  deleteProject,
  getProject,
  listExpectedFiles,
  listInstructorFiles,
  renameInstructorFile,
  updateProject,
  uploadInstructorFile,
} from '@/api/projects';
import type { ExpectedFile, InstructorFile } from '@/api/types';
import { useExpectedFiles, useInstructorFiles, useProject, useProjectSettings } from '@/composables/useProjects';
import { project } from './support/fixtures';

vi.mock('@/api/projects', () => ({
  getProject: vi.fn(),
  updateProject: vi.fn(),
  deleteProject: vi.fn(),
  listExpectedFiles: vi.fn(),
  createExpectedFile: vi.fn(),
  updateExpectedFile: vi.fn(),
  deleteExpectedFile: vi.fn(),
  listInstructorFiles: vi.fn(),
  uploadInstructorFile: vi.fn(),
  renameInstructorFile: vi.fn(),
  replaceInstructorFile: vi.fn(),
  deleteInstructorFile: vi.fn(),
  instructorFileText: vi.fn(),
  instructorFileUrl: (id: number) => `/api/instructor_files/${id}/content/`,
}));

const refused = (field: string, message: string) => new ApiError(400, 'invalid', message, { [field]: [message] });
const expected = (pattern: string): ExpectedFile => ({ id: 1, project: 7, pattern, min_num_matches: 1, max_num_matches: 1, last_modified: '' });
const instructor = (id: number, name: string): InstructorFile => ({ id, project: 7, name, size: 1, last_modified: '' });

beforeEach(() => {
  vi.clearAllMocks();
});

describe('useProject and useProjectSettings', () => {
  it('loads the project, and shows a saved version without asking again', async () => {
    vi.mocked(getProject).mockResolvedValue(project());
    const { project: state, replace } = useProject(() => 7);
    await flushPromises();
    expect(state.data.value?.name).toBe('Hello');
    replace(project({ name: 'Hello 2' }));
    expect(state.data.value?.name).toBe('Hello 2');
    expect(getProject).toHaveBeenCalledTimes(1);
  });

  it('keeps the reason a save was refused under its field, and reports whether a delete worked', async () => {
    vi.mocked(updateProject).mockRejectedValue(refused('max_group_size', 'Must be at least the smallest group size.'));
    vi.mocked(deleteProject).mockRejectedValueOnce(new ApiError(409, 'project_has_submissions', 'It has submissions.'));
    const settings = useProjectSettings(() => 7);
    expect(await settings.update({ max_group_size: 0 })).toBeUndefined();
    expect(settings.save.fieldErrors('max_group_size')).toEqual(['Must be at least the smallest group size.']);
    expect(await settings.remove()).toBe(false);
    expect(settings.removal.error.value?.status).toBe(409);
    vi.mocked(deleteProject).mockResolvedValueOnce(undefined);
    expect(await settings.remove()).toBe(true);
  });
});

describe('useExpectedFiles', () => {
  it('adds a pattern and shows the list again; a refused one changes nothing', async () => {
    vi.mocked(listExpectedFiles).mockResolvedValueOnce([]).mockResolvedValueOnce([expected('hello.py')]);
    const files = useExpectedFiles(() => 7);
    await flushPromises();
    vi.mocked(createExpectedFile).mockResolvedValueOnce(expected('hello.py'));
    expect(await files.create({ pattern: 'hello.py', min_num_matches: 1, max_num_matches: 1 })).toBe(true);
    expect(files.files.data.value?.map((f) => f.pattern)).toEqual(['hello.py']);

    vi.mocked(createExpectedFile).mockRejectedValueOnce(refused('pattern', 'Patterns may not contain "/".'));
    expect(await files.create({ pattern: 'src/x.py' })).toBe(false);
    expect(files.creating.fieldErrors('pattern')).toEqual(['Patterns may not contain "/".']);
    expect(listExpectedFiles).toHaveBeenCalledTimes(2);
  });
});

describe('useInstructorFiles', () => {
  it('uploads one file after another and stops at the first the server refuses', async () => {
    vi.mocked(listInstructorFiles).mockResolvedValue([]);
    const files = useInstructorFiles(() => 7);
    await flushPromises();
    vi.mocked(uploadInstructorFile)
      .mockResolvedValueOnce(instructor(1, 'a.txt'))
      .mockRejectedValueOnce(refused('file', 'An instructor file named b.txt exists.'));
    await files.upload([new File(['a'], 'a.txt'), new File(['b'], 'b.txt'), new File(['c'], 'c.txt')]);
    expect(vi.mocked(uploadInstructorFile).mock.calls.map(([, file]) => file.name)).toEqual(['a.txt', 'b.txt']);
    expect(files.uploading.fieldErrors('file')).toEqual(['An instructor file named b.txt exists.']);
    expect(listInstructorFiles).toHaveBeenCalledTimes(2);
  });

  it('renames, telling whether it worked, and gives each file its download address', async () => {
    vi.mocked(listInstructorFiles).mockResolvedValue([instructor(4, 'old.txt')]);
    const files = useInstructorFiles(() => 7);
    vi.mocked(renameInstructorFile).mockResolvedValueOnce(instructor(4, 'new.txt'));
    expect(await files.rename(4, 'new.txt')).toBe(true);
    vi.mocked(renameInstructorFile).mockRejectedValueOnce(refused('name', 'Taken.'));
    expect(await files.rename(4, 'taken.txt')).toBe(false);
    expect(files.downloadUrl(4)).toBe('/api/instructor_files/4/content/');
  });
});

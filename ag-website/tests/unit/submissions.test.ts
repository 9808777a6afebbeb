import { flushPromises } from '@vue/test-utils';
import { effectScope, ref } from 'vue';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { listSubmissions, removeFromQueue, submit } from '@/api/submissions';
import type { Submission } from '@/api/types';
import { useGroupSubmissions, useQueueRemoval, useSubmit } from '@/composables/useSubmissions';
import { deferred } from './support/fixtures';

vi.mock('@/api/submissions', () => ({
  checkFiles: vi.fn(),
  getStatus: vi.fn(),
  getSubmission: vi.fn(),
  listSubmissions: vi.fn(),
  listSubmittedFiles: vi.fn(),
  removeFromQueue: vi.fn(),
  submit: vi.fn(),
  submittedFileUrl: vi.fn(),
}));

const sub = (id: number, timestamp: string) => ({ id, timestamp, status: 'finished_grading' }) as Submission;

beforeEach(() => {
  vi.clearAllMocks();
});

describe('useSubmit', () => {
  it('shows the upload’s progress while it runs and clears it after', async () => {
    const upload = deferred<Submission>();
    let report: (fraction: number) => void = () => {};
    vi.mocked(submit).mockImplementation((_group, _files, _pledge, onProgress) => {
      report = onProgress;
      return upload.promise;
    });
    const state = useSubmit(() => 3);
    const sent = state.send([new File(['x'], 'a.py')], true);
    expect(state.progress.value).toBe(0);
    report(0.5);
    expect(state.progress.value).toBe(50);
    upload.resolve(sub(9, '2026-05-01T00:00:00Z'));
    expect((await sent)?.id).toBe(9);
    expect(state.progress.value).toBeNull();
    expect(submit).toHaveBeenCalledWith(3, [expect.objectContaining({ name: 'a.py' })], true, expect.any(Function));
  });
});

describe('useGroupSubmissions', () => {
  it('lists nothing until a group is chosen, then that group’s submissions', async () => {
    vi.mocked(listSubmissions).mockResolvedValue([sub(1, '2026-05-01T00:00:00Z')]);
    const chosen = ref<number | null>(null);
    const scope = effectScope();
    const { submissions } = scope.run(() => useGroupSubmissions(() => chosen.value))!;
    await flushPromises();
    expect(submissions.data.value).toEqual([]);
    expect(listSubmissions).not.toHaveBeenCalled();
    chosen.value = 4;
    await flushPromises();
    expect(listSubmissions).toHaveBeenCalledWith(4);
    expect(submissions.data.value?.map((s) => s.id)).toEqual([1]);
    scope.stop();
  });
});

describe('useQueueRemoval', () => {
  it('removes the submission it was made for', async () => {
    vi.mocked(removeFromQueue).mockResolvedValue(sub(6, ''));
    await useQueueRemoval(() => 6).remove();
    expect(removeFromQueue).toHaveBeenCalledWith(6);
  });
});

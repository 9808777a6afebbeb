/**
 * Submissions: one submission and its files, a group's list, removing one from the queue,
 * uploading with progress, and the server's dry run of the files a student chose.
 * (Live status is useSubmissionStatus; the student project page's loading is useProjectPage.)
 */
import { onScopeDispose, ref, shallowRef, watch, type Ref } from 'vue';
import {
  checkFiles,
  getSubmission,
  getSubmittedFileText,
  listSubmissions,
  listSubmittedFiles,
  removeFromQueue,
  submit,
  submittedFileUrl,
} from '@/api/submissions';
import type { ApiError, FileCheck, Submission } from '@/api/types';
import { toApiError, useAction, useAsync } from './useAsync';

/** One submission and its stored files. */
export function useSubmission(submissionId: () => number) {
  const submission = useAsync(() => getSubmission(submissionId()));
  const files = useAsync(() => listSubmittedFiles(submissionId()));
  const reload = (): Promise<unknown> => Promise.all([submission.reload(), files.reload()]);
  return { submission, files, reload, fileUrl: (name: string) => submittedFileUrl(submissionId(), name) };
}

/**
 * Viewing a submission's files in the browser, one at a time: `open(name)` fetches its text
 * (kept, so switching back is instant); `shown` is the file on screen.
 */
export function useSubmittedFileViewer(submissionId: () => number) {
  const action = useAction();
  const texts = shallowRef<Record<string, string>>({});
  const shown = ref<string | null>(null);
  async function open(name: string): Promise<void> {
    if (!(name in texts.value)) {
      const text = await action.run(() => getSubmittedFileText(submissionId(), name));
      if (text === undefined) return;
      texts.value = { ...texts.value, [name]: text };
    }
    shown.value = name;
  }
  const close = (): void => {
    shown.value = null;
  };
  return { action, texts, shown, open, close };
}

/** A group's submissions (none while no group is chosen), asked for again when it changes. */
export function useGroupSubmissions(groupId: () => number | null) {
  const submissions = useAsync(async (): Promise<Submission[]> => {
    const id = groupId();
    return id === null ? [] : listSubmissions(id);
  });
  watch(groupId, () => void submissions.reload());
  return { submissions };
}

export function useQueueRemoval(submissionId: () => number) {
  const removal = useAction();
  const remove = (): Promise<Submission | undefined> => removal.run(() => removeFromQueue(submissionId()));
  return { removal, remove };
}

/** Uploading a group's files; `progress` is the percentage sent while an upload runs. */
export function useSubmit(groupId: () => number) {
  const action = useAction();
  const progress = ref<number | null>(null);
  async function send(files: readonly File[], honorPledgeAccepted: boolean): Promise<Submission | undefined> {
    progress.value = 0;
    try {
      return await action.run(() =>
        submit(groupId(), [...files], honorPledgeAccepted, (fraction) => {
          progress.value = fraction * 100;
        }),
      );
    } finally {
      progress.value = null;
    }
  }
  return { action, progress, send };
}

export const FILE_CHECK_DELAY_MS = 300;

/**
 * The server's dry run of an upload of `files` (their names and sizes): which files the
 * project's patterns keep and leave out, which patterns still need files, and what the upload
 * would refuse. Asked for `delayMs` after the choice stops changing; until the answer about
 * the current choice arrives `check` is null (an answer about an earlier choice is dropped).
 * No files: no check.
 */
export function useFileCheck(projectId: () => number, files: Ref<readonly File[]>, delayMs = FILE_CHECK_DELAY_MS) {
  const check = shallowRef<FileCheck | null>(null);
  const checking = ref(false);
  const error = shallowRef<ApiError | null>(null);
  let timer: ReturnType<typeof setTimeout> | null = null;
  let generation = 0;

  async function run(mine: number, chosen: readonly File[]): Promise<void> {
    try {
      const answer = await checkFiles(
        projectId(),
        chosen.map((file) => ({ name: file.name, size: file.size })),
      );
      if (mine === generation) check.value = answer;
    } catch (caught) {
      if (mine === generation) error.value = toApiError(caught);
    } finally {
      if (mine === generation) checking.value = false;
    }
  }

  function schedule(chosen: readonly File[]): void {
    if (timer !== null) clearTimeout(timer);
    const mine = ++generation;
    error.value = null;
    check.value = null; // an answer about other files would mislead
    checking.value = chosen.length > 0;
    if (chosen.length === 0) return;
    timer = setTimeout(() => void run(mine, chosen), delayMs);
  }

  watch(files, schedule, { immediate: true });
  onScopeDispose(() => {
    if (timer !== null) clearTimeout(timer);
    generation += 1;
  });
  return { check, checking, error };
}

/**
 * EiPL questions (explain in plain English). Students: whether the project is one (null: an
 * ordinary project), submitting an explanation, and the code the language model wrote from
 * it, asked for again every few seconds while it is being written.
 * Staff: the question's settings, saved whole.
 */
import { onScopeDispose, watch } from 'vue';
import {
  deleteEiplQuestion,
  getEiplAttempt,
  getEiplLimits,
  getEiplQuestion,
  getEiplQuestionForStudent,
  saveEiplLimits,
  saveEiplQuestion,
  submitExplanation,
} from '@/api/eipl';
import { ApiError } from '@/api/http';
import type { EiplAttempt, EiplLimits, EiplLimitsInput, EiplQuestion, EiplQuestionInput, Submission } from '@/api/types';
import { useAction, useAsync } from './useAsync';

export const ATTEMPT_POLL_MS = 1500;

async function orNull<T>(read: Promise<T>): Promise<T | null> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

/** The question as a student sees it, or null for an ordinary project. */
export function useEiplForStudent(projectId: () => number) {
  const question = useAsync(() => getEiplQuestionForStudent(projectId()));
  const submitting = useAction();
  async function submit(groupId: number, explanation: string, honorPledgeAccepted = false): Promise<Submission | undefined> {
    return submitting.run(() => submitExplanation(groupId, explanation, honorPledgeAccepted));
  }
  return { question, submitting, submit };
}

/** A submission's explanation and generated code; polled while the model is writing. */
export function useEiplAttempt(submissionId: () => number | null) {
  const attempt = useAsync<EiplAttempt | null>(async () => {
    const id = submissionId();
    return id === null ? null : orNull(getEiplAttempt(id));
  });
  let timer: ReturnType<typeof setTimeout> | null = null;
  const stop = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  watch(attempt.data, (found) => {
    stop();
    if (found?.state === 'generating') timer = setTimeout(() => void attempt.reload(), ATTEMPT_POLL_MS);
  });
  watch(submissionId, () => void attempt.reload());
  onScopeDispose(stop);
  return { attempt };
}

/** Staff: the question (null until the project is made one), saving it, turning it off. */
export function useEiplQuestionAdmin(projectId: () => number) {
  const question = useAsync<EiplQuestion | null>(() => orNull(getEiplQuestion(projectId())));
  const saving = useAction();
  async function save(input: EiplQuestionInput): Promise<boolean> {
    const saved = await saving.run(() => saveEiplQuestion(projectId(), input));
    if (saved) question.data.value = saved;
    return saved !== undefined;
  }
  async function remove(): Promise<void> {
    await saving.run(() => deleteEiplQuestion(projectId()));
    if (!saving.error.value) question.data.value = null;
  }
  return { question, saving, save, remove };
}

/** A course's daily model limits: staff read them, superusers set them (null: the site's). */
export function useEiplLimits(courseId: () => number) {
  const limits = useAsync<EiplLimits>(() => getEiplLimits(courseId()));
  const saving = useAction();
  async function save(input: EiplLimitsInput): Promise<boolean> {
    const saved = await saving.run(() => saveEiplLimits(courseId(), input));
    if (saved) limits.data.value = saved;
    return saved !== undefined;
  }
  return { limits, saving, save };
}

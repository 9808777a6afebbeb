import { del, get, post, put } from './http';
import type { EiplAttempt, EiplLimits, EiplLimitsInput, EiplQuestion, EiplQuestionForStudent, EiplQuestionInput, Submission } from './types';

export const getEiplQuestion = (projectId: number): Promise<EiplQuestion> => get<EiplQuestion>(`projects/${projectId}/eipl_question/`);
export const saveEiplQuestion = (projectId: number, input: EiplQuestionInput): Promise<EiplQuestion> =>
  put<EiplQuestion>(`projects/${projectId}/eipl_question/`, input);
export const deleteEiplQuestion = (projectId: number): Promise<void> => del(`projects/${projectId}/eipl_question/`);
/** The question as students see it; null for an ordinary project. */
export const getEiplQuestionForStudent = async (projectId: number): Promise<EiplQuestionForStudent | null> =>
  (await get<{ question: EiplQuestionForStudent | null }>(`projects/${projectId}/eipl_question/student/`)).question;
export const submitExplanation = (groupId: number, explanation: string, honorPledgeAccepted: boolean): Promise<Submission> =>
  post<Submission>(`groups/${groupId}/eipl_explanations/`, { explanation, honor_pledge_accepted: honorPledgeAccepted });
export const getEiplAttempt = (submissionId: number): Promise<EiplAttempt> => get<EiplAttempt>(`submissions/${submissionId}/eipl_attempt/`);
/** A course's daily language-model limits and today's use (staff read; superusers set). */
export const getEiplLimits = (courseId: number): Promise<EiplLimits> => get<EiplLimits>(`courses/${courseId}/eipl_limits/`);
export const saveEiplLimits = (courseId: number, input: EiplLimitsInput): Promise<EiplLimits> =>
  put<EiplLimits>(`courses/${courseId}/eipl_limits/`, input);

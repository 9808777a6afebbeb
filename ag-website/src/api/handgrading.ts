import { del, get, patch, post, put, send } from './http';
import { watchEvents, type StreamEnd } from './statusStream';
import type {
  AnnotationInput,
  Annotation,
  AppliedAnnotation,
  Criterion,
  CriterionInput,
  CriterionResult,
  HandgradingComment,
  HandgradingCommentInput,
  HandgradingProgress,
  HandgradingResult,
  HandgradingStatus,
  MyHandgrading,
  Rubric,
  RubricInput,
} from './types';

/** The rubric (null before staff create one) and every group's handgrading status. */
export const getProgress = (projectId: number, filter: { status?: HandgradingStatus; grader?: string } = {}): Promise<HandgradingProgress> =>
  get<HandgradingProgress>(`projects/${projectId}/handgrading_progress/`, filter);
export const createRubric = (projectId: number, input: RubricInput): Promise<Rubric> =>
  post<Rubric>(`projects/${projectId}/handgrading_rubric/`, input);
export const updateRubric = (projectId: number, input: RubricInput): Promise<Rubric> =>
  patch<Rubric>(`projects/${projectId}/handgrading_rubric/`, input);
export const importRubric = (projectId: number, fromProject: number): Promise<Rubric> =>
  post<Rubric>(`projects/${projectId}/handgrading_rubric/import/`, { project: fromProject });
export const addCriterion = (rubricId: number, input: CriterionInput): Promise<Criterion> =>
  post<Criterion>(`handgrading_rubrics/${rubricId}/criteria/`, input);
export const updateCriterion = (id: number, input: CriterionInput): Promise<Criterion> =>
  patch<Criterion>(`handgrading_criteria/${id}/`, input);
export const deleteCriterion = (id: number): Promise<void> => del(`handgrading_criteria/${id}/`);
export const addAnnotation = (rubricId: number, input: AnnotationInput): Promise<Annotation> =>
  post<Annotation>(`handgrading_rubrics/${rubricId}/annotations/`, input);
export const updateAnnotation = (id: number, input: AnnotationInput): Promise<Annotation> =>
  patch<Annotation>(`handgrading_annotations/${id}/`, input);
export const deleteAnnotation = (id: number): Promise<void> => del(`handgrading_annotations/${id}/`);
/** Puts the rubric's criteria (or annotations) in the order of `ids`, each listed once. */
export const reorderCriteria = (rubricId: number, ids: number[]): Promise<{ ids: number[] }> =>
  put<{ ids: number[] }>(`handgrading_rubrics/${rubricId}/criteria/order/`, { ids });
export const reorderAnnotations = (rubricId: number, ids: number[]): Promise<{ ids: number[] }> =>
  put<{ ids: number[] }>(`handgrading_rubrics/${rubricId}/annotations/order/`, { ids });
export const assignGrader = (projectId: number, groups: number[], grader: string | null): Promise<{ changed: number }> =>
  put<{ changed: number }>(`projects/${projectId}/handgrading_assignments/`, { groups, grader });

/** A group's result, started on a grader's first visit. */
export const openResult = (groupId: number): Promise<HandgradingResult> =>
  get<HandgradingResult>(`groups/${groupId}/handgrading_result/`);
export const updateResult = (id: number, input: { points_adjustment?: number; finished?: boolean }): Promise<HandgradingResult> =>
  patch<HandgradingResult>(`handgrading_results/${id}/`, input);
export const selectCriterion = (resultId: number, criterionId: number, selected: boolean): Promise<CriterionResult> =>
  put<CriterionResult>(`handgrading_results/${resultId}/criteria/${criterionId}/`, { selected });
export const applyAnnotation = (
  resultId: number,
  input: { annotation: number; filename: string; first_line: number; last_line: number },
): Promise<AppliedAnnotation> => post<AppliedAnnotation>(`handgrading_results/${resultId}/applied_annotations/`, input);
export const removeAppliedAnnotation = (id: number): Promise<void> => del(`handgrading_applied_annotations/${id}/`);
export const addComment = (resultId: number, input: HandgradingCommentInput): Promise<HandgradingComment> =>
  post<HandgradingComment>(`handgrading_results/${resultId}/comments/`, input);
export const deleteComment = (id: number): Promise<void> => del(`handgrading_comments/${id}/`);

/** My group's handgrading once staff release it (`result` is null before). */
export const getMyHandgrading = (projectId: number): Promise<MyHandgrading> =>
  get<MyHandgrading>(`projects/${projectId}/my_handgrading/`);

/** A submitted file's text, for the grading page's code view. */
export async function submittedText(submissionId: number, name: string): Promise<string> {
  return (await send('GET', `submissions/${submissionId}/files/content/`, { query: { name } })).text();
}

/** What a result's live stream says: its version (it grows with every change; null: gone). */
export interface ResultVersion {
  id: number;
  version: number | null;
}

/** Follows a handgrading result live (server-sent events): `onVersion` on every change any
 * grader commits, until the stream ends (`onEnd`). Returns a function that stops watching. */
export const watchResult = (
  resultId: number,
  onVersion: (state: ResultVersion, eventId: string | null) => void,
  onEnd: (end: StreamEnd) => void,
  lastEventId: string | null = null,
): (() => void) => watchEvents<ResultVersion>(`handgrading_results/${resultId}/events/`, 'status', onVersion, onEnd, lastEventId);

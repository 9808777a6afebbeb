import { apiUrl, get, send, type Page, type Query } from './http';
import type { DiffLine, FeedbackCategory, GradebookRow, OutputText, SubmissionFeedback, SubmissionScore } from './types';

const category = (feedbackCategory?: FeedbackCategory): Query =>
  feedbackCategory ? { feedback_category: feedbackCategory } : {};

export const getResults = (submissionId: number, feedbackCategory?: FeedbackCategory): Promise<SubmissionFeedback> =>
  get<SubmissionFeedback>(`submissions/${submissionId}/results/`, category(feedbackCategory));

/** A group's graded submissions with the score the requester sees for each, newest first. */
export const listGroupScores = (groupId: number): Promise<SubmissionScore[]> =>
  get<SubmissionScore[]>(`groups/${groupId}/scores/`);

export type CommandStream = 'stdout' | 'stderr';
export type SetupStream = 'setup_stdout' | 'setup_stderr';

async function text(path: string, query: Query): Promise<OutputText> {
  const response = await send('GET', path, { query });
  const size = response.headers.get('X-Output-Size');
  return {
    text: await response.text(),
    truncated: response.headers.get('X-Output-Truncated') === 'true',
    size: size === null ? null : Number(size),
  };
}

export const getCommandOutput = (
  commandResultId: number,
  stream: CommandStream,
  feedbackCategory?: FeedbackCategory,
): Promise<OutputText> => text(`command_results/${commandResultId}/${stream}/`, category(feedbackCategory));

export const getCommandDiff = (
  commandResultId: number,
  stream: CommandStream,
  feedbackCategory?: FeedbackCategory,
): Promise<DiffLine[]> => get<DiffLine[]>(`command_results/${commandResultId}/${stream}_diff/`, category(feedbackCategory));

export const getSetupOutput = (
  suiteResultId: number,
  stream: SetupStream,
  feedbackCategory?: FeedbackCategory,
): Promise<OutputText> => text(`suite_results/${suiteResultId}/${stream}/`, category(feedbackCategory));

export const getGradebookPage = (projectId: number, page: number): Promise<Page<GradebookRow>> =>
  get<Page<GradebookRow>>(`projects/${projectId}/gradebook/`, { page, page_size: 100 });
export const gradebookCsvUrl = (projectId: number): string => apiUrl(`projects/${projectId}/gradebook.csv`);

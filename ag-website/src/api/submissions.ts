import { apiUrl, get, getAll, post, send, uploadWithProgress } from './http';
import type { ChosenFile, FileCheck, StatusSnapshot, Submission, SubmissionLimits, SubmittedFile } from './types';

export const listSubmissions = (groupId: number): Promise<Submission[]> =>
  getAll<Submission>(`groups/${groupId}/submissions/`);
/** My group's submissions for a project, newest first; empty while I have no group. */
export const listMySubmissions = (projectId: number): Promise<Submission[]> =>
  getAll<Submission>(`projects/${projectId}/my_submissions/`);
/** What I may still submit for a project now, as the server's upload rules decide it. */
export const getMyLimits = (projectId: number): Promise<SubmissionLimits> =>
  get<SubmissionLimits>(`projects/${projectId}/my_limits/`);
/** A dry run of an upload of these files: what the server would keep, leave out and refuse. */
export const checkFiles = (projectId: number, files: ChosenFile[]): Promise<FileCheck> =>
  post<FileCheck>(`projects/${projectId}/file_check/`, { files });
export const getSubmission = (id: number): Promise<Submission> => get<Submission>(`submissions/${id}/`);
export const listSubmittedFiles = (id: number): Promise<SubmittedFile[]> =>
  get<SubmittedFile[]>(`submissions/${id}/files/`);
export const submittedFileUrl = (id: number, name: string): string =>
  apiUrl(`submissions/${id}/files/content/`, { name });
/** A submitted file's text, as stored (for viewing in the browser). */
export async function getSubmittedFileText(id: number, name: string): Promise<string> {
  const response = await send('GET', `submissions/${id}/files/content/`, { query: { name } });
  return response.text();
}
export const removeFromQueue = (id: number): Promise<Submission> =>
  post<Submission>(`submissions/${id}/remove_from_queue/`);
/** Live status as a stream: `watchStatus` in ./statusStream. */
export const getStatus = (id: number): Promise<StatusSnapshot> => get<StatusSnapshot>(`submissions/${id}/status/`);

export function submit(
  groupId: number,
  files: File[],
  honorPledgeAccepted: boolean,
  onProgress: (fraction: number) => void,
): Promise<Submission> {
  const form = new FormData();
  for (const file of files) form.append('files', file, file.name);
  form.append('honor_pledge_accepted', honorPledgeAccepted ? 'true' : 'false');
  return uploadWithProgress<Submission>(`groups/${groupId}/submissions/`, form, onProgress);
}

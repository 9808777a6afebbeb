import { del, get, getAll, patch, post, postForm, putForm, send } from './http';
import type { ExpectedFile, ExpectedFileInput, InstructorFile, Project, ProjectInput } from './types';

export const getProject = (id: number): Promise<Project> => get<Project>(`projects/${id}/`);
export const updateProject = (id: number, input: ProjectInput): Promise<Project> =>
  patch<Project>(`projects/${id}/`, input);
export const deleteProject = (id: number): Promise<void> => del(`projects/${id}/`);
export const copyProject = (id: number, targetCourse: number, name?: string): Promise<Project> =>
  post<Project>(`projects/${id}/copy/`, name ? { target_course: targetCourse, name } : { target_course: targetCourse });

export const listExpectedFiles = (projectId: number): Promise<ExpectedFile[]> =>
  getAll<ExpectedFile>(`projects/${projectId}/expected_files/`);
export const createExpectedFile = (projectId: number, input: ExpectedFileInput): Promise<ExpectedFile> =>
  post<ExpectedFile>(`projects/${projectId}/expected_files/`, input);
export const updateExpectedFile = (id: number, input: Partial<ExpectedFileInput>): Promise<ExpectedFile> =>
  patch<ExpectedFile>(`expected_files/${id}/`, input);
export const deleteExpectedFile = (id: number): Promise<void> => del(`expected_files/${id}/`);

export const listInstructorFiles = (projectId: number): Promise<InstructorFile[]> =>
  getAll<InstructorFile>(`projects/${projectId}/instructor_files/`);

function fileForm(file: File): FormData {
  const form = new FormData();
  form.append('file', file);
  return form;
}

export const uploadInstructorFile = (projectId: number, file: File): Promise<InstructorFile> =>
  postForm<InstructorFile>(`projects/${projectId}/instructor_files/`, fileForm(file));
export const replaceInstructorFile = (id: number, file: File): Promise<InstructorFile> =>
  putForm<InstructorFile>(`instructor_files/${id}/`, fileForm(file));
export const renameInstructorFile = (id: number, name: string): Promise<InstructorFile> =>
  patch<InstructorFile>(`instructor_files/${id}/`, { name });
export const deleteInstructorFile = (id: number): Promise<void> => del(`instructor_files/${id}/`);
export const instructorFileUrl = (id: number): string => `/api/instructor_files/${id}/content/`;
export async function instructorFileText(id: number): Promise<string> {
  return (await send('GET', `instructor_files/${id}/content/`)).text();
}

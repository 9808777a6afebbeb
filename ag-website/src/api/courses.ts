import { get, getAll, patch, post, put, request } from './http';
import type {
  Course,
  CourseCopyInput,
  CourseInput,
  LateDays,
  Project,
  ProjectInput,
  Role,
  RosterChange,
  RosterMode,
  RosterPreview,
  RosterUser,
} from './types';

export const listCourses = (): Promise<Course[]> => getAll<Course>('courses/');
export const getCourse = (id: number): Promise<Course> => get<Course>(`courses/${id}/`);
export const createCourse = (input: CourseInput): Promise<Course> => post<Course>('courses/', input);
export const updateCourse = (id: number, input: Partial<CourseInput>): Promise<Course> =>
  patch<Course>(`courses/${id}/`, input);
export const copyCourse = (id: number, input: CourseCopyInput): Promise<Course> =>
  post<Course>(`courses/${id}/copy/`, input);

export const listProjects = (courseId: number): Promise<Project[]> => getAll<Project>(`courses/${courseId}/projects/`);
export const createProject = (courseId: number, input: ProjectInput & { name: string }): Promise<Project> =>
  post<Project>(`courses/${courseId}/projects/`, input);

export const listRoster = (courseId: number, role: Role): Promise<RosterUser[]> =>
  getAll<RosterUser>(`courses/${courseId}/roster/${role}/`);

export type RosterAction = RosterMode;
/** Pasted text (any separators, `Name <address>` forms), a list with one person per item, or a CSV file. */
export type RosterSource = { text: string } | { users: string[] } | { file: File };
const ROSTER_METHOD: Record<RosterAction, string> = { add: 'POST', replace: 'PUT', remove: 'DELETE' };

/** Changes a roster; a 400 names every line that can't be used, and then nothing changed. */
export function changeRoster(courseId: number, role: Role, action: RosterAction, source: RosterSource): Promise<RosterChange> {
  const path = `courses/${courseId}/roster/${role}/`;
  if ('file' in source) {
    const form = new FormData();
    form.append('file', source.file);
    return request<RosterChange>(ROSTER_METHOD[action], path, { form });
  }
  return request<RosterChange>(ROSTER_METHOD[action], path, { json: source });
}

/** What `changeRoster` with the same arguments would do, changing nothing. */
export function previewRoster(courseId: number, role: Role, mode: RosterMode, source: RosterSource): Promise<RosterPreview> {
  const path = `courses/${courseId}/roster/${role}/preview/`;
  if ('file' in source) {
    const form = new FormData();
    form.append('file', source.file);
    form.append('mode', mode);
    return request<RosterPreview>('POST', path, { form });
  }
  return request<RosterPreview>('POST', path, { json: { ...source, mode } });
}

export const listLateDays = (courseId: number): Promise<LateDays[]> => getAll<LateDays>(`courses/${courseId}/late_days/`);
export const getLateDays = (courseId: number, userId: number): Promise<LateDays> =>
  get<LateDays>(`courses/${courseId}/late_days/${userId}/`);
export const setLateDays = (courseId: number, userId: number, remaining: number): Promise<LateDays> =>
  put<LateDays>(`courses/${courseId}/late_days/${userId}/`, { remaining });

import { get, getAll, patch, post, put, request } from './http';
import type { Course, CourseCopyInput, CourseInput, LateDays, Project, ProjectInput, Role, RosterChange, RosterUser } from './types';

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

export type RosterAction = 'add' | 'replace' | 'remove';
const ROSTER_METHOD: Record<RosterAction, string> = { add: 'POST', replace: 'PUT', remove: 'DELETE' };

/** Changes a roster from pasted text (any separators), a list of names, or a CSV file. */
export function changeRoster(
  courseId: number,
  role: Role,
  action: RosterAction,
  source: { text: string } | { users: string[] } | { file: File },
): Promise<RosterChange> {
  const path = `courses/${courseId}/roster/${role}/`;
  if ('file' in source) {
    const form = new FormData();
    form.append('file', source.file);
    return request<RosterChange>(ROSTER_METHOD[action], path, { form });
  }
  return request<RosterChange>(ROSTER_METHOD[action], path, { json: source });
}

export const listLateDays = (courseId: number): Promise<LateDays[]> => getAll<LateDays>(`courses/${courseId}/late_days/`);
export const getLateDays = (courseId: number, userId: number): Promise<LateDays> =>
  get<LateDays>(`courses/${courseId}/late_days/${userId}/`);
export const setLateDays = (courseId: number, userId: number, remaining: number): Promise<LateDays> =>
  put<LateDays>(`courses/${courseId}/late_days/${userId}/`, { remaining });

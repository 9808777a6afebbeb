/**
 * Courses: my course list, one course with its projects, a new course, the edits admins make
 * to a course (settings, a copy for a new term, a new project), and its students' late days. Rosters have
 * their own composable (useRoster).
 */
import { reactive, shallowRef } from 'vue';
import { copyCourse, createCourse, createProject, getCourse, listCourses, listLateDays, listProjects, setLateDays, updateCourse } from '@/api/courses';
import type { ApiError, Course, CourseCopyInput, CourseInput, LateDays, Project } from '@/api/types';
import { toApiError, useAction, useAsync } from './useAsync';

export function useCourses() {
  return { courses: useAsync(listCourses) };
}

/** One course, and its projects when the page lists them (both asked for at once). */
export function useCourse(courseId: () => number, options: { withProjects?: boolean } = {}) {
  const course = useAsync(() => getCourse(courseId()));
  const projects = useAsync(() => listProjects(courseId()), { immediate: options.withProjects === true });
  return { course, projects };
}

/** Saving a course's settings, and copying it for a new term (admins). */
export function useCourseSettings(courseId: () => number) {
  const save = useAction();
  const copying = useAction();
  const copied = shallowRef<Course | null>(null);
  const update = (input: Partial<CourseInput>): Promise<Course | undefined> => save.run(() => updateCourse(courseId(), input));
  async function copy(input: CourseCopyInput): Promise<Course | undefined> {
    copied.value = (await copying.run(() => copyCourse(courseId(), input))) ?? null;
    return copied.value ?? undefined;
  }
  return { save, copying, copied, update, copy };
}

/** A new course (superusers, and users allowed to create courses, who become its admin). */
export function useCourseCreation() {
  const action = useAction();
  const create = (input: CourseInput): Promise<Course | undefined> => action.run(() => createCourse(input));
  return { action, create };
}

export function useProjectCreation(courseId: () => number) {
  const action = useAction();
  const create = (name: string): Promise<Project | undefined> => action.run(() => createProject(courseId(), { name }));
  return { action, create };
}

/**
 * Every student's late days in a course. Each row keeps its own error and "saved" mark, so
 * staff can fix one student's number while the others stay as they were.
 */
export function useLateDays(courseId: () => number) {
  const rows = useAsync(() => listLateDays(courseId()));
  const errors = reactive<Record<number, ApiError | null>>({});
  const saved = reactive<Record<number, boolean>>({});

  async function set(row: LateDays, remaining: number): Promise<boolean> {
    const id = row.user.id;
    errors[id] = null;
    saved[id] = false;
    try {
      await setLateDays(courseId(), id, remaining);
    } catch (error) {
      errors[id] = toApiError(error);
      return false;
    }
    saved[id] = true;
    await rows.reload();
    return true;
  }

  /** Why the server refused a row's number: the reason under `remaining`, else its message. */
  function rowErrors(id: number): string[] {
    const error = errors[id];
    if (!error) return [];
    const reasons = error.field('remaining');
    return reasons.length ? reasons : [error.message];
  }

  return { rows, errors, saved, set, rowErrors };
}

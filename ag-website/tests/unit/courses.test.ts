import { flushPromises } from '@vue/test-utils';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { copyCourse, getCourse, listLateDays, listProjects, setLateDays } from '@/api/courses';
import { ApiError } from '@/api/http';
import type { Course, LateDays } from '@/api/types';
import { useCourse, useCourseSettings, useLateDays } from '@/composables/useCourses';

vi.mock('@/api/courses', () => ({
  listCourses: vi.fn(),
  getCourse: vi.fn(),
  listProjects: vi.fn(),
  updateCourse: vi.fn(),
  copyCourse: vi.fn(),
  createCourse: vi.fn(),
  createProject: vi.fn(),
  listLateDays: vi.fn(),
  setLateDays: vi.fn(),
}));

const course = { id: 1, name: 'EECS 280', semester: 'fall', year: 2026 } as Course;
const row = (id: number, username: string, remaining: number): LateDays => ({ user: { id, username }, remaining, used: 0 }) as LateDays;

beforeEach(() => {
  vi.clearAllMocks();
});

describe('useCourse', () => {
  it('asks for the course and its projects together when the page lists them', () => {
    vi.mocked(getCourse).mockReturnValue(new Promise(() => {}));
    vi.mocked(listProjects).mockReturnValue(new Promise(() => {}));
    useCourse(() => 1, { withProjects: true });
    expect(getCourse).toHaveBeenCalledWith(1);
    expect(listProjects).toHaveBeenCalledWith(1);
  });

  it('does not ask for the projects of a course page that shows none', () => {
    vi.mocked(getCourse).mockResolvedValue(course);
    useCourse(() => 1);
    expect(listProjects).not.toHaveBeenCalled();
  });
});

describe('useCourseSettings', () => {
  it('remembers the copy it made, to link to it', async () => {
    vi.mocked(copyCourse).mockResolvedValue({ ...course, id: 2, year: 2027 });
    const settings = useCourseSettings(() => 1);
    await settings.copy({ name: 'EECS 280', semester: 'fall', year: 2027 });
    expect(settings.copied.value?.id).toBe(2);
  });
});

describe('useLateDays', () => {
  it('keeps a refused number’s reason on its own row and leaves the other rows alone', async () => {
    vi.mocked(listLateDays).mockResolvedValue([row(1, 'alice', 2), row(2, 'bob', 2)]);
    const lateDays = useLateDays(() => 1);
    await flushPromises();

    vi.mocked(setLateDays).mockRejectedValueOnce(new ApiError(400, 'invalid', 'remaining: Too many.', { remaining: ['Too many.'] }));
    expect(await lateDays.set(row(1, 'alice', 2), 99)).toBe(false);
    expect(lateDays.rowErrors(1)).toEqual(['Too many.']);
    expect(lateDays.rowErrors(2)).toEqual([]);

    vi.mocked(setLateDays).mockResolvedValueOnce(row(2, 'bob', 5));
    expect(await lateDays.set(row(2, 'bob', 2), 5)).toBe(true);
    expect(setLateDays).toHaveBeenLastCalledWith(1, 2, 5);
    expect(lateDays.saved[2]).toBe(true);
    expect(lateDays.saved[1]).toBe(false);
    expect(listLateDays).toHaveBeenCalledTimes(2);
  });

  it('shows the message when the refusal names no field', async () => {
    vi.mocked(listLateDays).mockResolvedValue([]);
    vi.mocked(setLateDays).mockRejectedValueOnce(new ApiError(403, 'permission_denied', 'Only admins may change late days.'));
    const lateDays = useLateDays(() => 1);
    await lateDays.set(row(1, 'alice', 2), 3);
    expect(lateDays.rowErrors(1)).toEqual(['Only admins may change late days.']);
  });
});

describe('useCourseCreation', () => {
  it('creates the course and keeps a refusal under its field', async () => {
    const { createCourse } = await import('@/api/courses');
    const { useCourseCreation } = await import('@/composables/useCourses');
    vi.mocked(createCourse).mockRejectedValueOnce(new ApiError(400, 'invalid', 'name: Taken.', { name: ['Taken.'] }));
    const creation = useCourseCreation();
    expect(await creation.create({ name: 'EECS 280', semester: 'fall', year: 2026 })).toBeUndefined();
    expect(creation.action.fieldErrors('name')).toEqual(['Taken.']);
  });
});

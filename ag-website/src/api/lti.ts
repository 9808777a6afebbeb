/** LTI 1.3: platform registrations (superusers) and a course's LMS link, roster sync and
 * grade passback (course staff). */
import { del, get, patch, post } from './http';
import type { LtiCourseLink, LtiGradesQueued, LtiGradeStatus, LtiPlatform, LtiPlatformInput, LtiRosterSync, LtiToolUrls } from './types';

export const getToolUrls = (): Promise<LtiToolUrls> => get<LtiToolUrls>('lti/tool/');
export const listPlatforms = (): Promise<LtiPlatform[]> => get<LtiPlatform[]>('lti/platforms/');
export const createPlatform = (input: LtiPlatformInput): Promise<LtiPlatform> => post<LtiPlatform>('lti/platforms/', input);
export const updatePlatform = (id: number, input: Partial<LtiPlatformInput>): Promise<LtiPlatform> =>
  patch<LtiPlatform>(`lti/platforms/${id}/`, input);
export const deletePlatform = (id: number): Promise<void> => del(`lti/platforms/${id}/`);

export const getCourseLink = (courseId: number): Promise<LtiCourseLink> => get<LtiCourseLink>(`courses/${courseId}/lti/`);
export const syncRoster = (courseId: number): Promise<LtiRosterSync> => post<LtiRosterSync>(`courses/${courseId}/lti/sync_roster/`);
export const listGradeStatus = (courseId: number): Promise<LtiGradeStatus[]> =>
  get<LtiGradeStatus[]>(`courses/${courseId}/lti/grades/`);
export const sendGrades = (courseId: number, project: number): Promise<LtiGradesQueued> =>
  post<LtiGradesQueued>(`courses/${courseId}/lti/grades/send/`, { project });

/** LTI 1.3: platform registrations (superusers) and a course's LMS link, roster sync and
 * grade passback (course staff). The shapes mirror autograder/integrations/lti/serializers.py. */
import { del, get, patch, post } from './http';

export interface LtiPlatform {
  id: number;
  name: string;
  issuer: string;
  client_id: string;
  deployment_ids: string[];
  keyset_url: string;
  auth_login_url: string;
  auth_token_url: string;
  auth_audience: string;
  created_at: string;
  last_modified: string;
}

export type LtiPlatformInput = Omit<LtiPlatform, 'id' | 'created_at' | 'last_modified'>;

export interface LtiToolUrls {
  jwks_url: string;
  login_url: string;
  launch_url: string;
  redirect_uris: string[];
  public_jwk: Record<string, unknown>;
}

export interface LtiCourseLink {
  linked: boolean;
  platform: string | null;
  context_id: string | null;
  context_title: string | null;
  roster_available: boolean;
  grades_available: boolean;
  roster_synced_at: string | null;
  roster_sync_error: string;
  roster_sync_count: number;
}

export interface LtiRosterSync {
  students_added: number;
  staff_added: number;
  students_removed: number;
  skipped: string[];
}

export interface LtiGradeStatus {
  user: number;
  username: string;
  project: number;
  project_name: string;
  score_sent: number | null;
  score_maximum: number | null;
  sent_at: string | null;
  attempted_at: string | null;
  error: string;
}

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
export const sendGrades = (courseId: number, project: number): Promise<{ project: number; users: number[] | null }> =>
  post<{ project: number; users: number[] | null }>(`courses/${courseId}/lti/grades/send/`, { project });

import { ApiError, del, get, getAll, patch, post } from './http';
import type { AcceptResult, Group, GroupUpdate, Invitation } from './types';

/** My group for a project, or null while I have none. */
export async function getMyGroup(projectId: number): Promise<Group | null> {
  try {
    return await get<Group>(`projects/${projectId}/my_group/`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

export const workAlone = (projectId: number): Promise<Group> => post<Group>(`projects/${projectId}/groups/solo/`);
export const listInvitations = (projectId: number): Promise<Invitation[]> =>
  getAll<Invitation>(`projects/${projectId}/invitations/`);
export const sendInvitation = (projectId: number, recipients: string[]): Promise<Invitation> =>
  post<Invitation>(`projects/${projectId}/invitations/`, { recipients });
export const acceptInvitation = (id: number): Promise<AcceptResult> => post<AcceptResult>(`invitations/${id}/accept/`);
export const rejectInvitation = (id: number): Promise<void> => post<void>(`invitations/${id}/reject/`);
export const withdrawInvitation = (id: number): Promise<void> => del(`invitations/${id}/`);

export const listGroups = (projectId: number): Promise<Group[]> => getAll<Group>(`projects/${projectId}/groups/`);
export const getGroup = (id: number): Promise<Group> => get<Group>(`groups/${id}/`);
export const createGroup = (projectId: number, members: string[]): Promise<Group> =>
  post<Group>(`projects/${projectId}/groups/`, { members });
export const updateGroup = (id: number, input: GroupUpdate): Promise<Group> => patch<Group>(`groups/${id}/`, input);
/** Deletes a group (refused while it has submissions: merge it into another instead). */
export const deleteGroup = (id: number): Promise<void> => del(`groups/${id}/`);
export const mergeGroups = (id: number, otherGroup: number): Promise<Group> =>
  post<Group>(`groups/${id}/merge/`, { other_group: otherGroup });

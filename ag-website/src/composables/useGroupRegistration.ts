/**
 * Forming a group for a project, as a student: invite partners, answer an invitation, withdraw
 * one, or work alone. After each change that worked, `onChanged` runs (the project page then
 * asks for the group, the invitations and the limits again).
 */
import { acceptInvitation, rejectInvitation, sendInvitation, withdrawInvitation, workAlone } from '@/api/groups';
import { useAction } from './useAsync';
import { parseMembers } from './useProjectGroups';

export function useGroupRegistration(projectId: () => number, onChanged: () => unknown) {
  const action = useAction();

  async function act(work: () => Promise<unknown>): Promise<boolean> {
    await action.run(work);
    if (action.error.value) return false;
    await onChanged();
    return true;
  }

  return {
    action,
    /** Partners as typed: usernames or emails separated by commas, semicolons or spaces. */
    invite: (partners: string): Promise<boolean> => act(() => sendInvitation(projectId(), parseMembers(partners))),
    accept: (invitationId: number): Promise<boolean> => act(() => acceptInvitation(invitationId)),
    reject: (invitationId: number): Promise<boolean> => act(() => rejectInvitation(invitationId)),
    withdraw: (invitationId: number): Promise<boolean> => act(() => withdrawInvitation(invitationId)),
    workAlone: (): Promise<boolean> => act(() => workAlone(projectId())),
  };
}

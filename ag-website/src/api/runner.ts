import { del, get, post } from './http';
import type { components } from './schema';

type S = components['schemas'];
export type MachineKey = S['MachineKeyOutput'];
export type MachineKeyCreated = S['MachineKeyCreatedOutput'];
export type MachineKeyInput = S['MachineKeyInputRequest'];
export type MachineKeyCategory = S['MachineKeyFeedbackCategoryEnum'];
export type RunnerWork = S['RunnerWorkOutput'];

export const listMachineKeys = (courseId: number): Promise<MachineKey[]> =>
  get<MachineKey[]>(`courses/${courseId}/machine-keys/`);
export const createMachineKey = (courseId: number, input: MachineKeyInput): Promise<MachineKeyCreated> =>
  post<MachineKeyCreated>(`courses/${courseId}/machine-keys/`, input);
/** Revokes the key; it stays listed, marked revoked. */
export const revokeMachineKey = (id: number): Promise<void> => del(`machine-keys/${id}/`);
export const listRunnerWorks = (projectId: number): Promise<RunnerWork[]> =>
  get<RunnerWork[]>(`projects/${projectId}/runner-works/`);

import { get, getAll, post } from './http';
import type { Rerun, RerunCreated, RerunInput } from './types';

export const listReruns = (projectId: number): Promise<Rerun[]> => getAll<Rerun>(`projects/${projectId}/reruns/`);
export const getRerun = (id: number): Promise<Rerun> => get<Rerun>(`reruns/${id}/`);
export const startRerun = (projectId: number, input: RerunInput): Promise<RerunCreated> =>
  post<RerunCreated>(`projects/${projectId}/reruns/`, input);
export const cancelRerun = (id: number): Promise<Rerun> => post<Rerun>(`reruns/${id}/cancel/`);

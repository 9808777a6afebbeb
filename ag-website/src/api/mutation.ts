import { del, get, patch, post } from './http';
import type { MutationSuite, MutationSuiteInput } from './types';

export const listMutationSuites = (projectId: number): Promise<MutationSuite[]> =>
  get<MutationSuite[]>(`projects/${projectId}/mutation_suites/`);
export const createMutationSuite = (projectId: number, input: MutationSuiteInput): Promise<MutationSuite> =>
  post<MutationSuite>(`projects/${projectId}/mutation_suites/`, input);
export const updateMutationSuite = (id: number, input: MutationSuiteInput): Promise<MutationSuite> =>
  patch<MutationSuite>(`mutation_suites/${id}/`, input);
export const deleteMutationSuite = (id: number): Promise<void> => del(`mutation_suites/${id}/`);

import { del, get, patch, post, put } from './http';
import type { CaseInput, Command, CommandInput, FeedbackPreset, SandboxImages, Suite, SuiteInput, TestCase } from './types';

export const listSuites = (projectId: number): Promise<Suite[]> => get<Suite[]>(`projects/${projectId}/suites/`);
export const createSuite = (projectId: number, input: SuiteInput & { name: string }): Promise<Suite> =>
  post<Suite>(`projects/${projectId}/suites/`, input);
export const updateSuite = (id: number, input: SuiteInput): Promise<Suite> => patch<Suite>(`suites/${id}/`, input);
export const deleteSuite = (id: number): Promise<void> => del(`suites/${id}/`);
export const orderSuites = (projectId: number, ids: number[]): Promise<{ ids: number[] }> =>
  put(`projects/${projectId}/suites/order/`, { ids });

export const createCase = (suiteId: number, input: CaseInput & { name: string }): Promise<TestCase> =>
  post<TestCase>(`suites/${suiteId}/cases/`, input);
export const updateCase = (id: number, input: CaseInput): Promise<TestCase> => patch<TestCase>(`cases/${id}/`, input);
export const deleteCase = (id: number): Promise<void> => del(`cases/${id}/`);
export const orderCases = (suiteId: number, ids: number[]): Promise<{ ids: number[] }> =>
  put(`suites/${suiteId}/cases/order/`, { ids });

export const createCommand = (caseId: number, input: CommandInput & { name: string; cmd: string }): Promise<Command> =>
  post<Command>(`cases/${caseId}/commands/`, input);
export const updateCommand = (id: number, input: CommandInput): Promise<Command> =>
  patch<Command>(`commands/${id}/`, input);
export const deleteCommand = (id: number): Promise<void> => del(`commands/${id}/`);
export const orderCommands = (caseId: number, ids: number[]): Promise<{ ids: number[] }> =>
  put(`cases/${caseId}/commands/order/`, { ids });

export const listFeedbackPresets = (): Promise<FeedbackPreset[]> => get<FeedbackPreset[]>('feedback_presets/');
export const listSandboxImages = (projectId: number): Promise<SandboxImages> =>
  get<SandboxImages>(`projects/${projectId}/sandbox_images/`);

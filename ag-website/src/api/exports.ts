import { get, getAll, post } from './http';
import type { ExportInput, ExportTask } from './types';

export const listExports = (projectId: number): Promise<ExportTask[]> => getAll<ExportTask>(`projects/${projectId}/exports/`);
export const getExport = (id: number): Promise<ExportTask> => get<ExportTask>(`exports/${id}/`);
export const startExport = (projectId: number, input: ExportInput): Promise<ExportTask> =>
  post<ExportTask>(`projects/${projectId}/exports/`, input);

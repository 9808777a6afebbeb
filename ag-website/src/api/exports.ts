import { del, get, getAll, post } from './http';
import type { ExportInput, ExportTask } from './types';

export const listExports = (projectId: number): Promise<ExportTask[]> => getAll<ExportTask>(`projects/${projectId}/exports/`);
export const getExport = (id: number): Promise<ExportTask> => get<ExportTask>(`exports/${id}/`);
/** Deletes a download and its file, or cancels it while it waits or is being built. */
export const deleteExport = (id: number): Promise<void> => del(`exports/${id}/`);
export const startExport = (projectId: number, input: ExportInput): Promise<ExportTask> =>
  post<ExportTask>(`projects/${projectId}/exports/`, input);

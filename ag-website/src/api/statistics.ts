import { get } from './http';
import type { ProjectStatistics } from './types';

/** Everything the statistics page draws, computed on the server in one request. */
export const getProjectStatistics = (projectId: number): Promise<ProjectStatistics> =>
  get<ProjectStatistics>(`projects/${projectId}/statistics/`);

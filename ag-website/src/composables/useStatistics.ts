/** A project's statistics, computed on the server in one request. */
import { getProjectStatistics } from '@/api/statistics';
import { useAsync } from './useAsync';

export function useProjectStatistics(projectId: () => number) {
  return { statistics: useAsync(() => getProjectStatistics(projectId())) };
}

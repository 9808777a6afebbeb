/**
 * Term rollover and tests as code: what a copy would carry over, cloning a test case, and a
 * project's configuration exported as YAML (or a zip with its instructor files) and imported
 * with a dry run. The types are written here (they mirror grading/config/transfer/serializers.py).
 */
import { get, post, postForm } from './http';
import type { TestCase } from './types';

/** What copying one project carries over (groups and submissions never are). */
export interface ProjectCopyCounts {
  project_id: number;
  name: string;
  suites: number;
  test_cases: number;
  commands: number;
  expected_files: number;
  instructor_files: number;
}

/** One change an import makes (or would make, in a dry run). */
export interface ConfigChange {
  action: 'create' | 'update' | 'delete' | 'keep';
  kind: string;
  name: string;
  details: string[];
  /** The change as one line, e.g. "update command 'A / B / run': time_limit_s 10 → 20". */
  text: string;
}

export interface ConfigImportResult {
  applied: boolean;
  changes: ConfigChange[];
}

export const projectCopyPreview = (projectId: number): Promise<ProjectCopyCounts> =>
  get<ProjectCopyCounts>(`projects/${projectId}/copy_preview/`);
export const courseCopyPreview = (courseId: number): Promise<{ projects: ProjectCopyCounts[] }> =>
  get<{ projects: ProjectCopyCounts[] }>(`courses/${courseId}/copy_preview/`);

export const cloneCase = (caseId: number): Promise<TestCase> => post<TestCase>(`cases/${caseId}/clone/`);

/** A link the browser downloads the configuration from (same-origin session cookie). */
export const configExportUrl = (projectId: number, bundle: 'zip' | 'yaml'): string =>
  `/api/projects/${projectId}/config/export/?bundle=${bundle}`;

export function importConfig(
  projectId: number,
  file: File,
  options: { dryRun: boolean; deleteMissing: boolean },
): Promise<ConfigImportResult> {
  const form = new FormData();
  form.append('file', file);
  form.append('dry_run', String(options.dryRun));
  form.append('delete_missing', String(options.deleteMissing));
  return postForm<ConfigImportResult>(`projects/${projectId}/config/import/`, form);
}

/** Autograders written for Gradescope or PrairieLearn, imported into a project. */
import { get, postForm } from './http';
import type { ImageStatus } from './images';

export type AutograderKind = 'gradescope' | 'prairielearn';
/** building: the image is being built (the suite follows); ready: the suite exists. */
export type ImportState = 'building' | 'ready' | 'failed';

export interface AutograderImport {
  id: number;
  project: number;
  kind: AutograderKind;
  state: ImportState;
  image: number | null;
  image_status: ImageStatus | null;
  image_build: number | null;
  suite: number | null;
  suite_name: string;
  command: string;
  time_limit_s: number;
  files: string[];
  error: string;
  created_at: string;
}

export interface ImportInput {
  kind: AutograderKind;
  file: File;
  suite_name: string;
  time_limit_s: number;
  /** PrairieLearn only. */
  command: string;
  sandbox_image: string;
}

export const listImports = (projectId: number): Promise<AutograderImport[]> =>
  get<AutograderImport[]>(`projects/${projectId}/autograder_imports/`);

export function createImport(projectId: number, input: ImportInput): Promise<AutograderImport> {
  const form = new FormData();
  form.append('file', input.file);
  form.append('suite_name', input.suite_name);
  form.append('time_limit_s', String(input.time_limit_s));
  if (input.kind === 'prairielearn') {
    form.append('command', input.command);
    form.append('sandbox_image', input.sandbox_image);
  }
  return postForm<AutograderImport>(`projects/${projectId}/autograder_imports/${input.kind}/`, form);
}
